/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for the kernel's linux/types.h (kwalk-sim). */
#ifndef SIM_LINUX_TYPES_H
#define SIM_LINUX_TYPES_H
#include_next <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
typedef uint64_t u64;
#endif
