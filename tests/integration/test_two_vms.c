/* SPDX-License-Identifier: Apache-2.0 */
/* Two VMs at once in one process, on one libaxvm host: the hello guest and
 * the smp guest (2 vCPUs) run concurrently, each with its own UART output,
 * exit code and KVM VM; afterwards nothing is left allocated. */
#include <pthread.h>
#include <string.h>

#include "axvm_kvm.h"
#include "axvm_linux.h"
#include "kvm_test.h"
#include "runner.h"

struct job {
	struct axvm_host *host;
	struct runner_opts o;
	char path[512];
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int status;
};

static void *job_main(void *p)
{
	struct job *j = p;

	j->o.out = open_memstream(&j->out, &j->out_len);
	j->o.err = open_memstream(&j->err, &j->err_len);
	j->status = runner_run(j->host, &j->o);
	fclose(j->o.out);
	fclose(j->o.err);
	return NULL;
}

int main(int argc, char **argv)
{
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_host *host;
	struct job jobs[2];
	pthread_t t[2];
	int failures = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GUEST_DIR\n", argv[0]);
		return 2;
	}
	kvm_test_require_kvm();
	if (axvm_linux_hal_init(&port, &hal) ||
	    axvm_init(&hal, &axvm_arch_kvm, &host)) {
		fprintf(stderr, "cannot set up libaxvm\n");
		return 1;
	}
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 2; i++) {
		jobs[i].host = host;
		jobs[i].o.mem = 16u << 20;
		jobs[i].o.vm_id = (uint32_t)(10 + i);
		jobs[i].o.vcpus = i == 0 ? 1 : 2;
		snprintf(jobs[i].path, sizeof(jobs[i].path), "%s/%s", argv[1],
		         i == 0 ? "hello.elf" : "smp.elf");
		jobs[i].o.kernel = jobs[i].path;
	}
	for (int i = 0; i < 2; i++)
		EXPECT(pthread_create(&t[i], NULL, job_main, &jobs[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		printf("vm %d: status %d\n--- out\n%s--- err\n%s", i,
		       jobs[i].status, jobs[i].out, jobs[i].err);
	EXPECT(jobs[0].status == 0);
	EXPECT(strcmp(jobs[0].out, "Hello from an x86_64 guest on libaxvm!\n"
	                           "hello: vcpu 0, ram 16 MiB\n") == 0);
	EXPECT(jobs[1].status == 0);
	EXPECT(strstr(jobs[1].out, "smp: cpu 1 up\n") != NULL);
	EXPECT(strstr(jobs[1].out, "smp: 2 cpus up\n") != NULL);
	EXPECT(strstr(jobs[1].out, "Hello") == NULL); /* no cross-talk */
	EXPECT(jobs[0].err_len == 0 && jobs[1].err_len == 0);
	for (int i = 0; i < 2; i++) {
		free(jobs[i].out);
		free(jobs[i].err);
	}
	EXPECT(axvm_fini(host) == 0);
	EXPECT(axvm_linux_hal_fini(&port) == 0); /* nothing leaked */
	printf("%s\n", failures ? "FAILED" : "two VMs: ok");
	return failures ? 1 : 0;
}
