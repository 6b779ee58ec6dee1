// SPDX-License-Identifier: GPL-2.0
/*
 * Lab scenario for the <= v6.3 IOASID allocator (drivers/iommu/ioasid.c, v6.1): the default allocator
 * and custom ones, sharing, switching, orphaning, a double free, a wrong-set find, set_data, and the
 * -EAGAIN and WARN paths. Each call is logged as "lab: CALL = RESULT" so the golden dmesg states what
 * the kernel returned; the capture of the same calls is what pasid-ledger audits.
 */
#include <linux/module.h>
#include <linux/ioasid.h>
#include <linux/bitmap.h>
#include <linux/err.h>

#define say(fmt, ...) pr_info("lab: " fmt "\n", ##__VA_ARGS__)

static DECLARE_IOASID_SET(set_a);
static DECLARE_IOASID_SET(set_b);
static int tag_a, tag_b;

/* A custom ID space [500, 531] kept in a bitmap; two helper pairs with the same behaviour. */
#define C_LO 500
#define C_N 32
static DECLARE_BITMAP(ids, C_N);

static const char *owner(void *pdata);

/* Logs whose pdata the kernel passes: after unregistering the head of a shared allocator, v6.1 keeps
 * passing the head's pdata (ioasid_unregister_allocator does not re-point pallocator->ops). */
static ioasid_t c_alloc(ioasid_t min, ioasid_t max, void *pdata)
{
	pr_info("lab: alloc helper called with pdata of %s\n", owner(pdata));
	unsigned int lo = min > C_LO ? min - C_LO : 0, hi, bit;

	if (max < C_LO || min >= C_LO + C_N)
		return INVALID_IOASID;
	hi = min_t(unsigned int, max - C_LO, C_N - 1);
	bit = find_next_zero_bit(ids, hi + 1, lo);
	if (bit > hi)
		return INVALID_IOASID;
	__set_bit(bit, ids);
	return C_LO + bit;
}

static void c_free(ioasid_t id, void *pdata)
{
	if (id >= C_LO && id < C_LO + C_N)
		__clear_bit(id - C_LO, ids);
}

static ioasid_t other_alloc(ioasid_t min, ioasid_t max, void *pdata) { return c_alloc(min, max, pdata); }
static void other_free(ioasid_t id, void *pdata) { c_free(id, pdata); }

static int pd_first, pd_sharer, pd_other;

static const char *owner(void *pdata)
{
	return pdata == &pd_first ? "first" : pdata == &pd_sharer ? "sharer" : pdata == &pd_other ? "other" : "?";
}
/* first and sharer have the same helpers, so the kernel puts them in one allocator. */
static struct ioasid_allocator_ops first = { .alloc = c_alloc, .free = c_free, .pdata = &pd_first };
static struct ioasid_allocator_ops sharer = { .alloc = c_alloc, .free = c_free, .pdata = &pd_sharer };
static struct ioasid_allocator_ops other = { .alloc = other_alloc, .free = other_free, .pdata = &pd_other };

static ioasid_t alloc(struct ioasid_set *set, const char *name, ioasid_t min, ioasid_t max)
{
	ioasid_t id = ioasid_alloc(set, min, max, set == &set_a ? &tag_a : &tag_b);

	if (id == INVALID_IOASID)
		say("ioasid_alloc(%s, %u, %u) = INVALID_IOASID", name, min, max);
	else
		say("ioasid_alloc(%s, %u, %u) = %u", name, min, max, id);
	return id;
}

static void free_id(ioasid_t id)
{
	ioasid_free(id);
	say("ioasid_free(%u) returned", id);
}

static void find(struct ioasid_set *set, const char *name, ioasid_t id)
{
	void *p = ioasid_find(set, id, NULL);

	if (IS_ERR(p))
		say("ioasid_find(%s, %u) = %ld", name, id, PTR_ERR(p));
	else
		say("ioasid_find(%s, %u) = %s", name, id, p == &tag_a ? "tag_a" : p == &tag_b ? "tag_b" : "other");
}

static void reg(struct ioasid_allocator_ops *ops, const char *name)
{
	say("ioasid_register_allocator(%s) = %d", name, ioasid_register_allocator(ops));
}

static void unreg(struct ioasid_allocator_ops *ops, const char *name)
{
	ioasid_unregister_allocator(ops);
	say("ioasid_unregister_allocator(%s) returned", name);
}

static int __init lab_init(void)
{
	ioasid_t d[4], c[4], x;
	int i;

	say("begin");
	/* Default allocator: [10, 12] holds 3 IDs, the 4th allocation fails. */
	for (i = 0; i < 4; i++)
		d[i] = alloc(&set_a, "set_a", 10, 12);

	say("ioasid_set_data(%u) = %d", d[1], ioasid_set_data(d[1], &tag_b));
	say("ioasid_set_data(%u) = %d", 999, ioasid_set_data(999, &tag_b));

	find(&set_a, "set_a", d[0]);
	find(&set_b, "set_b", d[0]);	/* wrong set: -EACCES */
	find(NULL, "NULL", d[1]);	/* any set: the data set_data put there */
	find(&set_a, "set_a", 999);	/* unknown: -ENOENT */

	free_id(d[0]);
	free_id(d[0]);			/* double free: "Trying to free unknown IOASID" */

	reg(&first, "first");		/* default allocator has 2 outstanding: -EAGAIN */
	free_id(d[1]);
	free_id(d[2]);

	reg(&first, "first");		/* 0: becomes the active allocator */
	reg(&sharer, "sharer");		/* 0: same helpers, joins first's allocator */
	c[0] = alloc(&set_b, "set_b", 500, 503);
	c[1] = alloc(&set_b, "set_b", 500, 503);
	find(&set_a, "set_a", c[0]);	/* wrong set on the custom allocator */

	reg(&other, "other");		/* 0: different helpers, queued behind the active one */
	unreg(&first, "first");		/* the allocator stays (sharer still in it), its pdata stays first's */
	c[2] = alloc(&set_b, "set_b", 500, 503);

	unreg(&sharer, "sharer");	/* last of the active allocator with 3 IDs out: WARN, switch to other */
	free_id(c[0]);			/* orphaned: unknown to other's allocator */
	x = alloc(&set_b, "set_b", 500, 503);	/* other's helpers share the bitmap: next free bit */
	free_id(x);

	unreg(&other, "other");		/* no custom allocator left: back to the default */
	unreg(&other, "other");		/* none registered: "No custom IOASID allocators active!" */

	x = alloc(&set_a, "set_a", 10, 12);	/* the default allocator again */
	free_id(x);
	say("end");
	return 0;
}

static void __exit lab_exit(void)
{
	say("exit");
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pasid-ledger lab: the v6.1 IOASID allocator API");
