// SPDX-License-Identifier: GPL-2.0
/*
 * Lab scenario (v6.1): registering the same ioasid_allocator_ops twice. ioasid_register_allocator()
 * links ops->list into a temporary allocator before it looks for a duplicate, then kfree()s that
 * allocator and returns -EEXIST: ops->list now points into freed memory. Registering other helpers
 * reuses that memory, and the next unregister of the twice-registered ops is a list_del corruption
 * BUG (CONFIG_DEBUG_LIST) with ioasid_allocator_lock held. ops_a must share its allocator
 * with another ops: the last ops of an allocator is dropped without a list_del of ops->list.
 */
#include <linux/module.h>
#include <linux/ioasid.h>

#define say(fmt, ...) pr_info("lab: " fmt "\n", ##__VA_ARGS__)

static ioasid_t a_alloc(ioasid_t min, ioasid_t max, void *pdata) { return min; }
static void a_free(ioasid_t id, void *pdata) { }
static ioasid_t b_alloc(ioasid_t min, ioasid_t max, void *pdata) { return max; }
static void b_free(ioasid_t id, void *pdata) { }

static struct ioasid_allocator_ops ops_a = { .alloc = a_alloc, .free = a_free };
/* Same helpers: shares ops_a's allocator, so unregistering ops_a takes the list_del path. */
static struct ioasid_allocator_ops ops_a2 = { .alloc = a_alloc, .free = a_free };
static struct ioasid_allocator_ops ops_b = { .alloc = b_alloc, .free = b_free };

static int __init lab_init(void)
{
	say("begin");
	say("ioasid_register_allocator(ops_a) = %d", ioasid_register_allocator(&ops_a));
	say("ioasid_register_allocator(ops_a2) = %d", ioasid_register_allocator(&ops_a2));
	say("ioasid_register_allocator(ops_a) again = %d", ioasid_register_allocator(&ops_a));
	say("ioasid_register_allocator(ops_b) = %d", ioasid_register_allocator(&ops_b));
	say("unregistering ops_a");
	ioasid_unregister_allocator(&ops_a);	/* list_del of the corrupted ops_a.list: BUG */
	say("ioasid_unregister_allocator(ops_a) returned");
	ioasid_unregister_allocator(&ops_a2);
	ioasid_unregister_allocator(&ops_b);
	say("end");
	return 0;
}

module_init(lab_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pasid-ledger lab: -EEXIST re-registration corrupts the v6.1 allocator list");
