/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run: boot an x86_64 guest on Linux KVM through libaxvm.
 *
 *   axvm-run --kernel GUEST [--entry ADDR] [--mem 64M] [--vcpus N]
 *            [--config VM.dtb] [--stats] [--strict] [--testdev]
 *            [--disk FILE]
 *            [--timeout SECONDS]
 *
 * Exit status: the byte the guest wrote to the exit port (0x501); 124 when
 * the VM stopped otherwise (fault, triple fault, unhandled exit: a one-line
 * reason on stderr); 125 for host-side errors; 2 for usage errors. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axvm_kvm.h"
#include "axvm_linux.h"
#include "runner.h"

#ifdef AXVM_HAVE_FDT
#include <axvm/config_fdt.h>
#endif

#define MEM_MAX (3ull << 30) /* below the device windows at 3..4 GiB */

static void usage(FILE *f)
{
	static const char text[] =
	    "usage: axvm-run --kernel GUEST [--entry ADDR] [--mem SIZE]\n"
	    "                [--vcpus N] [--config VM.dtb] [--stats]\n"
	    "                [--strict] [--testdev] [--disk FILE]\n"
	    "                [--timeout SECONDS]\n"
	    "  --kernel GUEST  ELF64 (at p_paddr) or raw image (at 1 MiB)\n"
	    "  --entry ADDR    entry point (raw images: default 0x100000)\n"
	    "  --mem SIZE      RAM at guest-physical 0, 2M..3G (default 64M)\n"
	    "  --vcpus N       vCPUs (default 1); others start by CPU-up\n"
	    "  --config DTB    the VM from an \"axvm,vm\" device tree (RAM,\n"
	    "                  vCPUs, entry, policy, MMIO devices)\n"
	    "  --stats         per-vCPU exit counts and run time on stderr\n"
	    "  --strict        an access no device takes stops the VM\n"
	    "  --testdev       the mmio guest's test device at 0xfe000000\n"
	    "  --disk FILE     a virtio-blk disk on FILE (read-write),\n"
	    "                  virtio-mmio at 0xfe010000\n"
	    "  --timeout S     stop the VM after S seconds\n";

	fputs(text, f);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

#ifdef AXVM_HAVE_FDT
/* Bytes the guest writes to a UART the DTB describes (MMIO ns16550a). */
static void dtb_console(void *arg, uint32_t vm_id, uint8_t byte)
{
	(void)vm_id;
	fputc(byte, arg);
	if (byte == '\n')
		fflush(arg);
}

static int load_dtb(const char *path, struct axvm_fdt_vm *vm)
{
	struct axvm_fdt_error err;
	uint32_t count = 0;
	uint8_t *blob = NULL;
	long n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "axvm-run: %s: %s\n", path, strerror(errno));
		return -1;
	}
	blob = aligned_alloc(8, AXVM_FDT_MAX_BLOB);
	n = blob ? (long)fread(blob, 1, AXVM_FDT_MAX_BLOB, f) : -1;
	fclose(f);
	if (n <= 0) {
		fprintf(stderr, "axvm-run: %s: cannot read\n", path);
		free(blob);
		return -1;
	}
	int rc = axvm_config_from_fdt(blob, (size_t)n, vm, 1, &count, &err);
	free(blob);
	if (rc || count == 0) {
		fprintf(stderr, "axvm-run: %s: %s\n", path,
		        rc ? err.message : "no enabled \"axvm,vm\" node");
		return -1;
	}
	axvm_fdt_vm_set_console(vm, dtb_console, stdout);
	return 0;
}
#endif

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"kernel", required_argument, NULL, 'k'},
	    {"entry", required_argument, NULL, 'e'},
	    {"mem", required_argument, NULL, 'm'},
	    {"vcpus", required_argument, NULL, 'n'},
	    {"config", required_argument, NULL, 'c'},
	    {"stats", no_argument, NULL, 's'},
	    {"strict", no_argument, NULL, 'S'},
	    {"testdev", no_argument, NULL, 'T'},
	    {"disk", required_argument, NULL, 'd'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct runner_opts o = {
	    .mem = 64ull << 20,
	    .vcpus = 1,
	    .vm_id = 1,
	    .out = stdout,
	    .err = stderr,
	};
	const char *config = NULL;
	bool sized = false; /* --mem or --vcpus given */
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.kernel = optarg;
			break;
		case 'e':
			if (parse_u64(optarg, &o.entry)) {
				fprintf(stderr, "axvm-run: bad --entry '%s'\n",
				        optarg);
				return 2;
			}
			o.has_entry = true;
			break;
		case 'm':
			if (parse_size(optarg, &o.mem) ||
			    o.mem < AXVM_KVM_RAM_MIN || o.mem > MEM_MAX ||
			    (o.mem & (AXVM_PAGE_SIZE - 1))) {
				fprintf(stderr,
				        "axvm-run: bad --mem '%s' (2M..3G, "
				        "4 KiB multiple)\n",
				        optarg);
				return 2;
			}
			sized = true;
			break;
		case 'n':
			if (parse_u64(optarg, &v) || v == 0 ||
			    v > AXVM_MAX_VCPUS) {
				fprintf(stderr,
				        "axvm-run: bad --vcpus '%s' (1..%u)\n",
				        optarg, AXVM_MAX_VCPUS);
				return 2;
			}
			o.vcpus = (uint32_t)v;
			sized = true;
			break;
		case 'c':
			config = optarg;
			break;
		case 's':
			o.stats = true;
			break;
		case 'S':
			o.strict = true;
			break;
		case 'T':
			o.testdev = true;
			break;
		case 'd':
			o.disk = optarg;
			break;
		case 't':
			if (parse_u64(optarg, &v) || v == 0 || v > 86400) {
				fprintf(stderr,
				        "axvm-run: bad --timeout '%s' "
				        "(1..86400 s)\n",
				        optarg);
				return 2;
			}
			o.timeout_ms = v * 1000;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !o.kernel) {
		usage(stderr);
		return 2;
	}

	if (config && sized) {
		fprintf(stderr,
		        "axvm-run: --mem and --vcpus come from --config\n");
		return 2;
	}
#ifdef AXVM_HAVE_FDT
	struct axvm_fdt_vm *fvm = NULL;
	if (config) {
		fvm = calloc(1, sizeof(*fvm));
		if (!fvm || load_dtb(config, fvm)) {
			free(fvm);
			return RUNNER_STATUS_HOST_ERROR;
		}
		o.base_cfg = &fvm->cfg;
	}
#else
	if (config) {
		fprintf(stderr,
		        "axvm-run: --config is not supported in this build "
		        "(libaxvm was built without FDT support)\n");
		return 2;
	}
#endif

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		fprintf(stderr, "axvm-run: /dev/kvm: %s\n", strerror(errno));
		return RUNNER_STATUS_HOST_ERROR;
	}
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_host *host;
	int rc;
	if ((rc = axvm_linux_hal_init(&port, &hal)) ||
	    (rc = axvm_init(&hal, &axvm_arch_kvm, &host))) {
		fprintf(stderr, "axvm-run: libaxvm: %s\n", axvm_strerror(rc));
		return RUNNER_STATUS_HOST_ERROR;
	}
	int status = runner_run(host, &o);
	axvm_fini(host);
	axvm_linux_hal_fini(&port);
#ifdef AXVM_HAVE_FDT
	free(fvm);
#endif
	return status;
}
