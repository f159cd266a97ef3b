/* SPDX-License-Identifier: Apache-2.0 */
/* Umbrella header: everything a host program or port needs. */
#ifndef AXVM_AXVM_H
#define AXVM_AXVM_H

#include <axvm/types.h>
#include <axvm/hal.h>
#include <axvm/exit.h>
#include <axvm/device.h>
#include <axvm/config.h>
#include <axvm/arch.h>
#include <axvm/addrspace.h>
#include <axvm/vm.h>
#include <axvm/vcpu.h>
#include <axvm/backends.h>
#include <axvm/boot.h>

#define AXVM_VERSION_MAJOR 0
#define AXVM_VERSION_MINOR 1
#define AXVM_VERSION_PATCH 0

#endif /* AXVM_AXVM_H */
