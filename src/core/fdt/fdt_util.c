/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded messages, error reporting and checked property access. */
#include <libfdt.h>
#include <string.h>

#include "fdt_internal.h"

void axvm_msg_init(struct axvm_msg *m, char *buf, size_t size)
{
	m->buf = buf;
	m->size = size;
	m->len = 0;
	if (size)
		buf[0] = '\0';
}

static void msg_putc(struct axvm_msg *m, char ch)
{
	if (m->size == 0 || m->len + 1 >= m->size)
		return;
	m->buf[m->len++] = ch;
	m->buf[m->len] = '\0';
}

void axvm_msg_strn(struct axvm_msg *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		msg_putc(m, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
	}
}

void axvm_msg_str(struct axvm_msg *m, const char *s)
{
	axvm_msg_strn(m, s, SIZE_MAX);
}

void axvm_msg_u64(struct axvm_msg *m, uint64_t v)
{
	char tmp[21];
	size_t i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	axvm_msg_str(m, tmp + i);
}

void axvm_msg_hex(struct axvm_msg *m, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[19];
	size_t i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	axvm_msg_str(m, tmp + i);
}

void axvm_fdt_node_path(const void *blob, int node, char *out, size_t size)
{
	char raw[AXVM_FDT_PATH_MAX];
	struct axvm_msg m;

	axvm_msg_init(&m, out, size);
	if (fdt_get_path(blob, node, raw, (int)sizeof(raw)) == 0) {
		axvm_msg_str(&m, raw);
		return;
	}
	int len = 0;
	const char *name = fdt_get_name(blob, node, &len);
	axvm_msg_str(&m, ".../");
	if (name && len > 0)
		axvm_msg_strn(&m, name, (size_t)len);
}

int axvm_fdt_fail(struct axvm_fdt_ctx *c, int code, int node, const char *prop,
                  const char *what)
{
	struct axvm_fdt_error *e = c->err;
	struct axvm_msg m;

	if (!e)
		return code;
	memset(e, 0, sizeof(*e));
	e->code = code;
	if (node >= 0)
		axvm_fdt_node_path(c->blob, node, e->path, sizeof(e->path));
	if (prop) {
		axvm_msg_init(&m, e->property, sizeof(e->property));
		axvm_msg_str(&m, prop);
	}
	axvm_msg_init(&m, e->message, sizeof(e->message));
	if (e->path[0]) {
		axvm_msg_str(&m, e->path);
		axvm_msg_str(&m, ": ");
	}
	if (e->property[0]) {
		axvm_msg_str(&m, e->property);
		axvm_msg_str(&m, ": ");
	}
	axvm_msg_str(&m, what);
	return code;
}

int axvm_fdt_prop(struct axvm_fdt_ctx *c, int node, const char *name,
                  const void **val, uint32_t *len)
{
	int l = 0;
	const void *p = fdt_getprop(c->blob, node, name, &l);

	*val = NULL;
	*len = 0;
	if (!p) {
		if (l == -FDT_ERR_NOTFOUND)
			return 0;
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
		                     "cannot be read (malformed blob)");
	}
	/* libfdt checked this after fdt_check_full(); re-check cheaply so no
	 * read of ours can leave the caller's buffer whatever libfdt does. */
	const char *base = c->blob, *q = p;
	if (l < 0 || q < base || (size_t)(q - base) > c->size ||
	    (size_t)l > c->size - (size_t)(q - base))
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name,
		                     "value lies outside the blob");
	*val = p;
	*len = (uint32_t)l;
	return 0;
}

uint32_t axvm_fdt_cell(const void *val, uint32_t i)
{
	const uint8_t *b = (const uint8_t *)val + (size_t)i * 4u;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

uint64_t axvm_fdt_cells(const void *val, uint32_t i, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t k = 0; k < n; k++)
		v = v << 32 | axvm_fdt_cell(val, i + k);
	return v;
}

int axvm_fdt_opt_u32(struct axvm_fdt_ctx *c, int node, const char *name,
                     uint32_t *v, bool *present)
{
	const void *val;
	uint32_t len;
	int rc = axvm_fdt_prop(c, node, name, &val, &len);

	*present = false;
	if (rc || !val)
		return rc;
	if (len != 4) {
		char what[AXVM_FDT_WHAT_MAX];
		struct axvm_msg m;
		axvm_msg_init(&m, what, sizeof(what));
		axvm_msg_str(&m, "must be one 32-bit cell, is ");
		axvm_msg_u64(&m, len);
		axvm_msg_str(&m, " bytes long");
		return axvm_fdt_fail(c, AXVM_EINVAL, node, name, what);
	}
	*v = axvm_fdt_cell(val, 0);
	*present = true;
	return 0;
}
