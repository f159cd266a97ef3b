/* A program outside the tree, built against the installed libaxvm. */
#include <axvm/axvm.h>
#include <axvm_linux.h>
#include <stdio.h>
#if defined(__has_include)
#if __has_include(<axvm_kvm.h>)
#include <axvm_kvm.h> /* the KVM backend's register ids are installed too */
#endif
#endif

int main(void)
{
	struct axvm_linux_hal port;
	struct axvm_hal hal;
	struct axvm_config cfg;
	struct axvm_config_error err;

	if (axvm_linux_hal_init(&port, &hal) || axvm_hal_validate(&hal))
		return 1;
	axvm_config_init(&cfg, 1);
	if (axvm_config_validate(&cfg, &err))
		return 2;
	cfg.vcpu_count = 0;
	if (axvm_config_validate(&cfg, &err) != AXVM_EINVAL)
		return 3;
	printf("libaxvm %d.%d.%d: %s; consumer ok\n", AXVM_VERSION_MAJOR,
	       AXVM_VERSION_MINOR, AXVM_VERSION_PATCH, err.message);
	return axvm_linux_hal_fini(&port);
}
