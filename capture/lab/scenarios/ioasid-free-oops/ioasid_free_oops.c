// SPDX-License-Identifier: GPL-2.0
/*
 * Lab scenario (v6.1), written outside the project: a custom IOASID allocator whose free helper
 * oopses. ioasid_free() calls active_allocator->ops->free() before it erases the ID from the
 * allocator's xarray (drivers/iommu/ioasid.c), so the task dies inside ioasid_free() with
 * ioasid_allocator_lock held and the ID still allocated. The free of another ID before it
 * completes; a third ID is never freed at all (a plain leak).
 */
#include <linux/module.h>
#include <linux/ioasid.h>

#define say(fmt, ...) pr_info("lab: " fmt "\n", ##__VA_ARGS__)

static int handed;

static ioasid_t lab_alloc(ioasid_t min, ioasid_t max, void *pdata)
{
	return min + handed++;
}

static void lab_free(ioasid_t id, void *pdata)
{
	say("free helper called for %u", id);
	/* pdata is NULL: a real page fault, not an undefined-behaviour trap the compiler could emit. */
	if (id == 700)
		say("pdata holds %d", *(volatile int *)pdata);
}

static struct ioasid_allocator_ops ops = { .alloc = lab_alloc, .free = lab_free, .pdata = NULL };
static DECLARE_IOASID_SET(lab_set);

static int __init lab_init(void)
{
	ioasid_t a, b, c;

	say("begin");
	say("ioasid_register_allocator(ops) = %d", ioasid_register_allocator(&ops));
	a = ioasid_alloc(&lab_set, 700, 799, NULL);
	say("ioasid_alloc(lab_set, 700, 799) = %u", a);
	b = ioasid_alloc(&lab_set, 700, 799, NULL);
	say("ioasid_alloc(lab_set, 700, 799) = %u", b);
	c = ioasid_alloc(&lab_set, 700, 799, NULL);
	say("ioasid_alloc(lab_set, 700, 799) = %u", c);
	ioasid_free(c);
	say("ioasid_free(%u) returned", c);
	ioasid_free(a);		/* the free helper oopses: the task dies here */
	say("ioasid_free(%u) returned", a);
	ioasid_unregister_allocator(&ops);
	say("end");
	return 0;
}

module_init(lab_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lab scenario: an oops inside ioasid_free's custom free helper");
