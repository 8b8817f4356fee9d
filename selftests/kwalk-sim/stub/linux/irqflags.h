/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in (kwalk-sim): no interrupts to mask; sections are counted. */
#ifndef SIM_LINUX_IRQFLAGS_H
#define SIM_LINUX_IRQFLAGS_H
extern unsigned long sim_irq_sections;
#define local_irq_save(flags)	((flags) = 0, sim_irq_sections++)
#define local_irq_restore(flags)	((void)(flags))
#endif
