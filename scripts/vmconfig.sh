# The bare-metal kernel's VM config, as scripts/run-aarch64 and
# scripts/run-riscv64 write and load it. Sourced, not run.
# shellcheck shell=bash
#
# A config is a device tree in the axvm,vm binding (docs/bindings/
# axvm-vm.md). Three properties of a VM node are for these scripts only
# (the kernel's parser ignores them): which files QEMU's generic loader
# puts where the VM's linear RAM maps its guest addresses:
#   axvm,kernel-file  loaded at kernel-addr (default: entry)
#   axvm,initrd-file  loaded at the initrd property's address
#   axvm,dtb-file     loaded at dtb-addr
# Paths are taken as written, relative to the current directory.
#
# The caller sets the target's constants first:
#   CFG_GUEST_RAM  guest RAM base of a generated VM       (0x40000000)
#   CFG_ENTRY_OFF  a test guest's entry, from RAM base    (0x80000)
#   CFG_UART_COMPAT, CFG_UART_BASE  the guest UART node   ("arm,pl011", 0x9000000)
#   CFG_HOST_RAM   the board's RAM base                   (0x40000000)
#   CFG_VM_BASE    the first host address VM RAM may use  (0x48000000)
#   CFG_ADDR       where the blob goes                    (0x47f00000)

cfg_hex() { printf '0x%x' "$1"; }
cfg_cells() { printf '0x%x 0x%x' $(($1 >> 32)) $(($1 & 0xffffffff)); } # two cells

# Sizes like 256M, 1G, 16777216.
cfg_size() {
  local n=${1%[KkMmGg]}
  case $1 in
    *[Kk]) echo $((n << 10)) ;; *[Mm]) echo $((n << 20)) ;; *[Gg]) echo $((n << 30)) ;;
    *) echo $((n)) ;;
  esac
}

# One VM node. Arguments: ID CPUS "AFFINITY..." RAM_SIZE HOST_ADDR ENTRY,
# then name=value pairs: kernel= initrd= dtb= kernel_addr= initrd_addr=
# dtb_addr= bootargs= boot=, irqchip= (an interrupt-controller child node,
# dts text), uart_irq= (the UART's interrupts cells) and devs= (more child
# nodes, dts text: cfg_ivc_node writes one).
cfg_vm() {
  local id=$1 cpus=$2 aff=$3 size=$4 host=$5 entry=$6 k v
  local kernel="" initrd="" dtb="" kaddr="" iaddr="" daddr="" bootargs="" boot="" irqchip="" uirq="" devs=""
  shift 6
  for kv in "$@"; do
    k=${kv%%=*} v=${kv#*=}
    case $k in
      kernel) kernel=$v ;; initrd) initrd=$v ;; dtb) dtb=$v ;; kernel_addr) kaddr=$v ;;
      initrd_addr) iaddr=$v ;; dtb_addr) daddr=$v ;; bootargs) bootargs=$v ;; boot) boot=$v ;;
      irqchip) irqchip=$v ;; uart_irq) uirq=$v ;; devs) devs=$v ;;
    esac
  done
  cat <<EOF
		vm@$id {
			compatible = "axvm,vm";
			reg = <$id>;
			#address-cells = <2>;
			#size-cells = <2>;
			label = "vm$id";
			cpus = <$cpus>;
			cpu-affinity = <$aff>;
			entry = <$(cfg_cells "$entry")>;
EOF
  [ -n "$boot" ] && echo "			boot-protocol = \"$boot\";"
  [ -n "$kaddr" ] && echo "			kernel-addr = <$(cfg_cells "$kaddr")>;"
  [ -n "$daddr" ] && echo "			dtb-addr = <$(cfg_cells "$daddr")>;"
  [ -n "$initrd" ] &&
    echo "			initrd = <$(cfg_cells "$iaddr") $(cfg_cells "$(stat -c %s "$initrd")")>;"
  [ -n "$bootargs" ] && echo "			bootargs = \"$bootargs\";"
  [ -n "$kernel" ] && echo "			axvm,kernel-file = \"$kernel\";"
  [ -n "$initrd" ] && echo "			axvm,initrd-file = \"$initrd\";"
  [ -n "$dtb" ] && echo "			axvm,dtb-file = \"$dtb\";"
  cat <<EOF

			memory@$(printf '%x' "$CFG_GUEST_RAM") {
				compatible = "axvm,memory";
				reg = <$(cfg_cells "$CFG_GUEST_RAM") $(cfg_cells "$size")>;
				map = "linear";
				host-addr = <$(cfg_cells "$host")>;
			};
$irqchip
$devs
			serial@$(printf '%x' "$CFG_UART_BASE") {
				compatible = "$CFG_UART_COMPAT";
				reg = <$(cfg_cells "$CFG_UART_BASE") 0x0 0x1000>;
EOF
  [ -n "$uirq" ] && echo "				interrupts = <$uirq>;"
  printf '\t\t\t};\n\t\t};\n'
}

# One end of an inter-VM channel (docs/ivc.md): cfg_ivc_node CHANNEL
# DOORBELL SHARED SIZE IRQ (guest addresses; IRQ as the VM's interrupts
# cells).
cfg_ivc_node() {
  cat <<EOF
			ivc@$(printf '%x' "$2") {
				compatible = "axvm,ivc";
				reg = <$(cfg_cells "$2") 0x0 0x1000>;
				shared-mem = <$(cfg_cells "$3") $(cfg_cells "$4")>;
				channel = <$1>;
				interrupts = <$5>;
			};
EOF
}

# A virtio-mmio device of a VM (docs/virtio.md): cfg_virtio_node ADDRESS
# "IRQ CELLS" disk HOST SIZE (a virtio-blk over host memory) or
# cfg_virtio_node ADDRESS "IRQ CELLS" console (a virtio-console).
cfg_virtio_node() {
  printf '\t\t\tvirtio_mmio@%x {\n\t\t\t\tcompatible = "virtio,mmio";\n' "$1"
  printf '\t\t\t\treg = <%s 0x0 0x200>;\n\t\t\t\tinterrupts = <%s>;\n' "$(cfg_cells "$1")" "$2"
  case $3 in
    disk) printf '\t\t\t\taxvm,disk = <%s %s>;\n' "$(cfg_cells "$4")" "$(cfg_cells "$5")" ;;
    console) printf '\t\t\t\taxvm,console;\n' ;;
  esac
  printf '\t\t\t};\n'
}

cfg_begin() { printf '/dts-v1/;\n\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\n\tvms {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n\n'; }
cfg_end() { printf '\t};\n};\n'; }

# A property's cells as one number each of N cells: cfg_get BLOB NODE PROP
# prints the raw cells (hex words) or nothing.
cfg_get() { fdtget -t x "$1" "$2" "$3" 2>/dev/null; }
cfg_join() { # N WORD... -> the first N words as one number
  local n=$1 v=0 i; shift
  for ((i = 0; i < n; i++)); do v=$(((v << 32) | 0x$1)); shift; done
  echo "$v"
}

# Reads a config blob and sets: CFG_LOADS (QEMU -device loader arguments
# for every file its VMs name) and CFG_RAM_END (the highest host address
# of linear VM RAM, exclusive). Returns 1 with a message if a file is
# missing or lies outside linear RAM.
cfg_plan() {
  local blob=$1 vm ac sc child w gpa size host
  CFG_LOADS=() CFG_RAM_END=$((CFG_VM_BASE))
  for vm in $(fdtget -l "$blob" /vms 2>/dev/null); do
    vm=/vms/$vm
    ac=$(cfg_get "$blob" "$vm" '#address-cells'); ac=$((0x${ac:-2}))
    sc=$(cfg_get "$blob" "$vm" '#size-cells'); sc=$((0x${sc:-1}))
    local gpas=() sizes=() hosts=()
    for child in $(fdtget -l "$blob" "$vm"); do
      [ "$(fdtget "$blob" "$vm/$child" compatible 2>/dev/null)" = axvm,memory ] || continue
      [ "$(fdtget "$blob" "$vm/$child" map 2>/dev/null)" = linear ] || continue
      read -r -a w <<<"$(cfg_get "$blob" "$vm/$child" reg)"
      gpa=$(cfg_join "$ac" "${w[@]}")
      size=$(cfg_join "$sc" "${w[@]:$ac}")
      read -r -a w <<<"$(cfg_get "$blob" "$vm/$child" host-addr)"
      host=$(cfg_join "$ac" "${w[@]}")
      gpas+=("$gpa") sizes+=("$size") hosts+=("$host")
      [ $((host + size)) -gt "$CFG_RAM_END" ] && CFG_RAM_END=$((host + size))
    done
    local prop addrprop file addr i found
    for prop in kernel initrd dtb; do
      file=$(fdtget "$blob" "$vm" "axvm,$prop-file" 2>/dev/null) || continue
      [ -f "$file" ] || { echo "config: $vm: axvm,$prop-file: no file '$file'" >&2; return 1; }
      case $prop in
        kernel) addrprop="kernel-addr"
                [ -n "$(cfg_get "$blob" "$vm" kernel-addr)" ] || addrprop="entry" ;;
        initrd) addrprop="initrd" ;;
        dtb) addrprop="dtb-addr" ;;
      esac
      read -r -a w <<<"$(cfg_get "$blob" "$vm" "$addrprop")"
      [ ${#w[@]} -ge "$ac" ] || { echo "config: $vm: axvm,$prop-file but no $addrprop" >&2; return 1; }
      addr=$(cfg_join "$ac" "${w[@]}")
      found=""
      for i in "${!gpas[@]}"; do
        if [ "$addr" -ge "${gpas[$i]}" ] && [ "$addr" -lt $((gpas[i] + sizes[i])) ]; then
          found=$((hosts[i] + addr - gpas[i]))
          break
        fi
      done
      [ -n "$found" ] || { echo "config: $vm: $addrprop is not in linear RAM: cannot load $file" >&2; return 1; }
      CFG_LOADS+=(-device "loader,file=$file,addr=$(cfg_hex "$found"),force-raw=on")
    done
  done
}

# QEMU's -m for a plan: the board RAM up to CFG_RAM_END, in 256 MiB steps,
# at least 512 MiB.
cfg_board_mem() {
  local need=$((CFG_RAM_END - CFG_HOST_RAM)) step=$((256 << 20)) mb
  need=$(((need + step - 1) / step * step))
  [ "$need" -lt $((512 << 20)) ] && need=$((512 << 20))
  mb=$((need >> 20))
  echo "${mb}M"
}
