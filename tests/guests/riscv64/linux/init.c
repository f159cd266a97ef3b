// SPDX-License-Identifier: Apache-2.0
/*
 * PID 1 of the riscv64 Linux test guest's initramfs (built by
 * scripts/linux-riscv64-assets, static, against Debian's riscv64 libc):
 * mounts /proc, /sys and /dev, prints one marker line
 *
 *   AXVM-LINUX-OK uname=<release> cpus=<online CPUs> payload=<sha256 or none>
 *
 * and powers the machine off (reboot(2), which Linux turns into SBI SRST),
 * or resets it when the kernel command line has "axvm.reboot". The sha256
 * of /payload proves the guest read the bytes the test made this run.
 * With "axvm.input" it first prints AXVM-LINUX-READY, reads one line from
 * the console and prints AXVM-LINUX-INPUT got=<line>.
 * With "axvm.disk" it first mounts /dev/vda (ext4 on virtio-blk), prints
 * the first line of its /seed.txt, writes /from-guest.txt (that line and
 * the payload's sha256), syncs and unmounts it, and prints
 * AXVM-DISK-OK seed=<line>, or AXVM-DISK-FAIL <step> errno=<n>.
 * With "axvm.hotplug" it takes CPU 1 offline and online twice and prints
 * AXVM-HOTPLUG ok online=<mask> (or the step that failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

/* --- SHA-256 (FIPS 180-4) ----------------------------------------------------- */

struct sha256 {
	uint32_t h[8];
	uint8_t buf[64];
	uint64_t len; /* bytes hashed so far */
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a[8];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(a, s->h, sizeof(a));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = a[7] + (ror(a[4], 6) ^ ror(a[4], 11) ^ ror(a[4], 25)) +
			      ((a[4] & a[5]) ^ (~a[4] & a[6])) + K[i] + w[i];
		uint32_t t2 = (ror(a[0], 2) ^ ror(a[0], 13) ^ ror(a[0], 22)) +
			      ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
		memmove(a + 1, a, 7 * sizeof(a[0]));
		a[4] += t1;
		a[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		s->h[i] += a[i];
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
}

static void sha256_update(struct sha256 *s, const uint8_t *p, size_t n)
{
	while (n) {
		size_t used = s->len % 64, take = 64 - used < n ? 64 - used : n;
		memcpy(s->buf + used, p, take);
		s->len += take;
		p += take;
		n -= take;
		if (s->len % 64 == 0)
			sha256_block(s, s->buf);
	}
}

static void sha256_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (s->len % 64 < 56 ? 56 : 120) - s->len % 64;

	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, pad, padlen + 8);
	for (int i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* --- PID 1 ---------------------------------------------------------------------- */

/* The sha256 of `path` as hex, or "none" when it cannot be read. */
static void file_hash(const char *path, char out[65])
{
	uint8_t buf[4096];
	struct sha256 s;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	strcpy(out, "none");
	if (fd < 0)
		return;
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	close(fd);
	if (n == 0)
		sha256_hex(&s, out);
}

static int disk_fail(const char *step)
{
	printf("AXVM-DISK-FAIL %s errno=%d\n", step, errno);
	return 1;
}

/* The virtio-blk round trip: read what the test put on the disk, write
 * something back, and have it on the disk before power-off. */
static int disk_case(const char *hash)
{
	char seed[128] = "", out[256];
	ssize_t n;
	int fd, len;

	mkdir("/mnt", 0755);
	if (mount("/dev/vda", "/mnt", "ext4", 0, NULL))
		return disk_fail("mount");
	if ((fd = open("/mnt/seed.txt", O_RDONLY)) < 0)
		return disk_fail("open-seed");
	n = read(fd, seed, sizeof(seed) - 1);
	close(fd);
	if (n < 0)
		return disk_fail("read-seed");
	seed[n] = '\0';
	seed[strcspn(seed, "\r\n")] = '\0';
	len = snprintf(out, sizeof(out), "from the guest: seed=%s payload=%s\n", seed, hash);
	if ((fd = open("/mnt/from-guest.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return disk_fail("create");
	if (write(fd, out, (size_t)len) != len)
		return disk_fail("write");
	if (fsync(fd))
		return disk_fail("fsync");
	close(fd);
	if (umount("/mnt"))
		return disk_fail("umount");
	printf("AXVM-DISK-OK seed=%s\n", seed);
	return 0;
}

/* Write `s` to the sysfs file `path`: 0, or -1. */
static int put_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), rc = -1;

	if (fd >= 0) {
		rc = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
		close(fd);
	}
	return rc;
}

/* The first line of `path` into `out` (empty if it cannot be read). */
static void get_line(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, out, size - 1) : -1;

	if (fd >= 0)
		close(fd);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* CPU 1 offline and online again, twice (SBI hart_stop, the
 * hart_get_status after it, hart_start), then the online mask. */
static void hotplug_case(void)
{
	static const char cpu1[] = "/sys/devices/system/cpu/cpu1/online",
			  online[] = "/sys/devices/system/cpu/online";
	const char *how = "ok";
	char mask[64];

	for (int i = 0; i < 2; i++) {
		if (put_str(cpu1, "0"))
			how = "fail-off";
		get_line(online, mask, sizeof(mask));
		if (strcmp(mask, "0"))
			how = "fail-still-on";
		if (put_str(cpu1, "1"))
			how = "fail-on";
	}
	get_line(online, mask, sizeof(mask));
	printf("AXVM-HOTPLUG %s online=%s\n", how, mask);
}

/* Whether the kernel command line has the word `word`. */
static int cmdline_has(const char *word)
{
	char buf[1024];

	get_line("/proc/cmdline", buf, sizeof(buf));
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, word))
			return 1;
	return 0;
}

int main(void)
{
	struct utsname u;
	char hash[65];
	int fd;

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	/* The initramfs has no /dev/console node: the kernel could not
	 * open one for us, devtmpfs has it. */
	if ((fd = open("/dev/console", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (cmdline_has("axvm.input")) {
		char line[128];

		printf("AXVM-LINUX-READY\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			line[0] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		printf("AXVM-LINUX-INPUT got=%s\n", line);
	}
	if (uname(&u))
		strcpy(u.release, "unknown");
	file_hash("/payload", hash);
	if (cmdline_has("axvm.disk"))
		disk_case(hash);
	if (cmdline_has("axvm.hotplug"))
		hotplug_case();
	printf("AXVM-LINUX-OK uname=%s cpus=%ld payload=%s\n", u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), hash);
	fflush(stdout);
	/* Powering off does not wait for what the tty still holds: wait
	 * until the line is out. */
	tcdrain(STDOUT_FILENO);
	sync();
	reboot(cmdline_has("axvm.reboot") ? RB_AUTOBOOT : RB_POWER_OFF);
	return 1; /* PID 1 exiting: the kernel panics, the test sees it */
}
