/* SPDX-License-Identifier: Apache-2.0 */
/* VM configuration from a flattened device tree (binding: docs/bindings/
 * axvm-vm.md) and generation of a guest's own device tree. Built when
 * libaxvm is configured with AXVM_WITH_FDT (needs libfdt). The blob is
 * hostile input: it is checked with fdt_check_full() before any read,
 * every property length is checked, every loop is bounded, and a parsed VM
 * has passed the same axvm_config_validate() as a config built in C. */
#ifndef AXVM_CONFIG_FDT_H
#define AXVM_CONFIG_FDT_H

#include <axvm/config.h>
#include <axvm/types.h>
#include <axvm/uart.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AXVM_FDT_VM_COMPATIBLE "axvm,vm"
#define AXVM_FDT_BOOTARGS_MAX  256u        /* including the NUL */
#define AXVM_FDT_MAX_IRQS      32u         /* passthrough interrupts per VM */
#define AXVM_FDT_MAX_CHILDREN  64u         /* child nodes of one VM node */
#define AXVM_FDT_NODE_NAME_MAX 48u         /* stored node names, with the NUL */
#define AXVM_FDT_PATH_MAX      128u        /* node paths in messages */
#define AXVM_FDT_MAX_BLOB      (16u << 20) /* larger blobs are refused */

/* How guest interrupts are delivered (AxVM's VMInterruptMode). */
enum axvm_irq_mode {
	AXVM_IRQ_EMULATED = 0,    /* virtual interrupt controller */
	AXVM_IRQ_PASSTHROUGH = 1, /* physical interrupts go to the guest */
	AXVM_IRQ_NONE = 2,        /* the guest gets no interrupts */
};

/* How the host starts the VM's kernel ("boot-protocol"). */
enum axvm_boot_protocol {
	AXVM_BOOT_RAW = 0,   /* enter at `entry` as loaded; a reset reboots
	                      * from the RAM kept */
	AXVM_BOOT_LINUX = 1, /* the image at kernel-addr follows its arch's
	                      * Linux boot protocol (header checked, image
	                      * placed, entry from it); no reboot from kept
	                      * RAM, which Linux reuses */
};

/* Emulated device models the compatible registry can build. */
enum axvm_fdt_dev_kind {
	AXVM_FDT_DEV_NONE = 0,
	AXVM_FDT_DEV_NS16550A = 1, /* "ns16550a", "ns16550": 16550 UART */
	AXVM_FDT_DEV_PL011 = 2,    /* "arm,pl011": PrimeCell UART */
	AXVM_FDT_DEV_DUMMY = 3,    /* "axvm,dummy": constant reads */
	/* "virtio,mmio" with axvm,disk: virtio-blk */
	AXVM_FDT_DEV_VIRTIO_BLK = 4,
	AXVM_FDT_DEV_IVC = 5,      /* "axvm,ivc": one end of an inter-VM
	                            * channel (include/axvm/ivc.h) */
	/* "virtio,mmio" with axvm,console: virtio-console (one port) */
	AXVM_FDT_DEV_VIRTIO_CONSOLE = 6,
};

/* The ends of one channel: two VMs of the blob, at most. */
#define AXVM_FDT_IVC_ENDS 2u

/* Interrupt controllers. They are described, not emulated here: the
 * backend (vGIC, vPLIC, in-kernel irqchip) owns their registers. */
enum axvm_fdt_irqchip_kind {
	AXVM_FDT_IRQCHIP_NONE = 0,
	AXVM_FDT_IRQCHIP_GICV3 = 1, /* "arm,gic-v3" */
	AXVM_FDT_IRQCHIP_PLIC = 2,  /* "riscv,plic0", "sifive,plic-1.0.0" */
};

/* Where a UART sends the bytes the guest writes. */
typedef void (*axvm_fdt_console_fn)(void *arg, uint32_t vm_id, uint8_t byte);

/* Run-time state of one emulated device: cfg.devices[i].ctx points here
 * (a UART's: at its model in `uart`). Fields other than the counters are
 * the model's own. */
struct axvm_fdt_dev_state {
	enum axvm_fdt_dev_kind kind;
	uint32_t vm_id;
	uint32_t reg_shift;  /* ns16550a: registers are 1 << reg_shift apart */
	uint64_t read_value; /* axvm,dummy: the value every read returns */
	uint64_t accesses;   /* reads and writes seen */
	uint64_t tx_bytes;   /* bytes the guest transmitted (UARTs) */
	axvm_fdt_console_fn console; /* NULL: transmitted bytes are dropped */
	void *console_arg;
	union { /* the UARTs: src/devices models, cfg.devices[i].ctx */
		struct axvm_ns16550 ns16550;
		struct axvm_pl011 pl011;
	} uart;
};

/* One emulated device; devices[i] describes cfg.devices[i]. */
struct axvm_fdt_device {
	enum axvm_fdt_dev_kind kind;
	/* Node name, e.g. "serial@10000000"; the device desc's name. */
	char node[AXVM_FDT_NODE_NAME_MAX];
	uint32_t irq; /* guest interrupt (GIC INTID, PLIC source); 0 none */
	uint32_t clock_hz; /* UART input clock for the guest DT */
	/* virtio-blk: the host memory it serves */
	uint64_t disk_addr, disk_size;
	/* axvm,ivc: the channel id, this end (0: the VM with the lower id),
	 * the shared region (cfg.regions[ivc.region], map "allocated" as
	 * parsed: a port that wires the channel turns it into "linear" at
	 * the host range it reserves for the channel, both ends alike). */
	struct {
		uint32_t channel, end, region;
		uint64_t shm_gpa, shm_size;
	} ivc;
	struct axvm_fdt_dev_state state;
};

/* The VM's interrupt controller, as the guest should see it. */
struct axvm_fdt_irqchip {
	enum axvm_fdt_irqchip_kind kind;
	char node[AXVM_FDT_NODE_NAME_MAX];
	uint64_t base[2]; /* GICv3: distributor, redistributors; PLIC: [0] */
	uint64_t size[2];
	uint32_t ndev; /* PLIC: interrupt sources (riscv,ndev) */
};

/* One VM from the tree: the core config plus what the config lacks. Device
 * ctx and name pointers in cfg point into this struct, so it must stay put
 * while a VM created from it lives; after copying it, call
 * axvm_fdt_vm_bind() on the copy. */
struct axvm_fdt_vm {
	struct axvm_config cfg;
	char path[AXVM_FDT_PATH_MAX]; /* node path, e.g. "/vms/vm@1" */
	enum axvm_irq_mode irq_mode;
	uint64_t kernel_addr; /* "kernel-addr"; defaults to the BSP entry */
	uint64_t initrd_addr; /* "initrd" = <addr size>; size 0: none */
	uint64_t initrd_size;
	bool has_dtb;
	uint64_t dtb_addr; /* "dtb-addr": where the guest DTB is loaded */
	char bootargs[AXVM_FDT_BOOTARGS_MAX];
	uint32_t timebase_hz;         /* "timebase-frequency" (RISC-V guests) */
	enum axvm_boot_protocol boot; /* "boot-protocol" */
	struct axvm_fdt_irqchip irqchip;
	uint32_t passthrough_irq_count;
	uint32_t passthrough_irqs[AXVM_FDT_MAX_IRQS];
	struct axvm_fdt_device devices[AXVM_MAX_CONFIG_DEVICES];
};

/* What the parser rejected: code, node path, property and a message of the
 * form "<path>: <property>: <what>" (only printable ASCII). */
struct axvm_fdt_error {
	int code;
	char path[AXVM_FDT_PATH_MAX];
	char property[32];
	char message[512];
};

/* Parse every enabled node compatible with "axvm,vm" in `blob` (`size`
 * bytes, 8-byte aligned) into vms[0..max-1]; *count gets how many. 0, or a
 * negative AXVM_E* code with detail in *err (then *count is 0). */
int axvm_config_from_fdt(const void *blob, size_t size, struct axvm_fdt_vm *vms,
                         uint32_t max, uint32_t *count,
                         struct axvm_fdt_error *err);

/* A config compiled into an image: `axvm-config -c OUT.c FILE.dtb` writes
 * this function (or -n's name), which fills vms as axvm_config_from_fdt()
 * filled them from FILE.dtb on the host, where it was parsed and checked.
 * AXVM_E2BIG if max is below its VM count. Defined by that file, not libaxvm. */
int axvm_config_builtin(struct axvm_fdt_vm *vms, uint32_t max,
                        uint32_t *count);
/* Written beside it (-n's name with "_boots"): bit b set if one of those
 * VMs boots by protocol b (enum axvm_boot_protocol), so an image links the
 * loaders of those protocols only. */
extern const uint32_t axvm_config_builtin_boots;

/* Re-point cfg.devices[i].ctx and .name at vm's own storage and give each
 * device its model's ops (after a copy). */
int axvm_fdt_vm_bind(struct axvm_fdt_vm *vm);

/* Send the bytes the guest writes to vm's UARTs to fn(arg, id, byte). */
int axvm_fdt_vm_set_console(struct axvm_fdt_vm *vm, axvm_fdt_console_fn fn,
                            void *arg);

/* Short names for printing ("ns16550a", "gic-v3", "emulated", ...). */
const char *axvm_fdt_dev_kind_name(enum axvm_fdt_dev_kind kind);
const char *axvm_fdt_irqchip_name(enum axvm_fdt_irqchip_kind kind);
const char *axvm_irq_mode_name(enum axvm_irq_mode mode);
const char *axvm_boot_protocol_name(enum axvm_boot_protocol boot);

/* ---- guest device tree ---- */

enum axvm_guest_arch {
	AXVM_GUEST_AARCH64 = 1,
	AXVM_GUEST_RISCV64 = 2,
};

enum axvm_guest_uart {
	AXVM_GUEST_UART_NONE = 0,
	AXVM_GUEST_UART_PL011 = 1,
	AXVM_GUEST_UART_NS16550A = 2,
};

struct axvm_guest_mem {
	uint64_t base;
	uint64_t size;
};

/* Everything the guest DTB says. Interrupt numbers are guest interrupt IDs:
 * GIC INTIDs (SPIs, 32..1019) on AArch64, PLIC sources on RISC-V. */
#define AXVM_GUEST_VIRTIO_MAX 8u

struct axvm_guest_fdt_params {
	enum axvm_guest_arch arch;
	uint32_t vcpu_count; /* 1 .. AXVM_MAX_VCPUS */
	uint32_t mem_count;  /* 1 .. AXVM_MAX_REGIONS */
	struct axvm_guest_mem mem[AXVM_MAX_REGIONS];
	const char *bootargs;  /* NULL or "": no bootargs */
	uint64_t initrd_start; /* initrd_end == initrd_start: none */
	uint64_t initrd_end;   /* exclusive, as linux,initrd-end */
	struct {
		enum axvm_guest_uart kind; /* NONE: no UART, no stdout-path */
		uint64_t base, size;
		uint32_t irq;       /* 0: no interrupts property */
		uint32_t clock_hz;  /* 0: 24 MHz (PL011), 3.6864 MHz */
		uint32_t reg_shift; /* ns16550a only */
	} uart;
	/* virtio-mmio windows, 0 .. AXVM_GUEST_VIRTIO_MAX */
	uint32_t virtio_count;
	struct {
		uint64_t base, size;
		uint32_t irq; /* 0: no interrupts property */
	} virtio[AXVM_GUEST_VIRTIO_MAX];
	struct {
		uint64_t dist_base, dist_size;     /* GICD */
		uint64_t redist_base, redist_size; /* GICR, 128 KiB per vCPU */
	} gicv3;                                   /* AArch64 */
	struct {
		uint64_t base, size;
		uint32_t ndev; /* 1 .. 1023 */
	} plic;                /* RISC-V */
	const uint64_t *mpidr; /* AArch64: vcpu_count MPIDR affinity
	                        * values; NULL: Aff1 = i / 16,
	                        * Aff0 = i % 16 for vCPU i */
	uint32_t timebase_hz;  /* RISC-V; 0: 10 MHz */
	const char *riscv_isa; /* NULL: "rv64imafdc" */
	const char *riscv_mmu; /* NULL: "riscv,sv39" */
};

/* Fill *p for `arch` from a parsed VM: its RAM regions, vCPUs, bootargs,
 * initrd, first UART, virtio-mmio windows and interrupt controller (which must
 * suit `arch`: AXVM_ENOTSUP otherwise, or if this build does not write
 * `arch`'s DTBs; AXVM_ENOENT if there is none).
 * p->bootargs points into vm. */
int axvm_guest_fdt_params_from_vm(const struct axvm_fdt_vm *vm,
                                  enum axvm_guest_arch arch,
                                  struct axvm_guest_fdt_params *p);

/* Write the guest DTB into buf[0..size-1] with libfdt's sequential-write
 * API; *used gets its length. AXVM_E2BIG if it does not fit (nothing is
 * written past size); AXVM_EINVAL/ERANGE/EOVERFLOW for bad parameters;
 * AXVM_ENOTSUP for the other target's arch in a bare-metal (AArch64 or
 * RISC-V) build, which writes only its own target's DTBs. */
int axvm_guest_fdt_build(const struct axvm_guest_fdt_params *p, void *buf,
                         size_t size, size_t *used);

#ifdef __cplusplus
}
#endif
#endif /* AXVM_CONFIG_FDT_H */
