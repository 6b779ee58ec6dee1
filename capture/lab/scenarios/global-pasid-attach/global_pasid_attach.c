// SPDX-License-Identifier: GPL-2.0
/*
 * Lab scenario (v6.6+, run on 6.12): global PASIDs (iommu_alloc/free_global_pasid, an IDA over
 * [1, max_pasids)) and PASID attach/detach through the Intel ops (intel_iommu_set_dev_pasid /
 * intel_iommu_remove_dev_pasid) on a QEMU device. QEMU's devices have no PASID capability, so
 * dev->iommu->max_pasids is 0; the test-only parameter max_pasids overrides it on the chosen device
 * (restored before the module returns).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/err.h>

#define say(fmt, ...) pr_info("lab: " fmt "\n", ##__VA_ARGS__)

static char *bdf = "0000:00:02.0";
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI device to use");
static uint max_pasids = 8;
module_param(max_pasids, uint, 0444);
MODULE_PARM_DESC(max_pasids, "test-only override of dev->iommu->max_pasids (0: keep the device's)");

static ioasid_t galloc(struct device *dev)
{
	ioasid_t p = iommu_alloc_global_pasid(dev);

	if (p == IOMMU_PASID_INVALID)
		say("iommu_alloc_global_pasid = IOMMU_PASID_INVALID (max_pasids %u)", dev->iommu->max_pasids);
	else
		say("iommu_alloc_global_pasid = %u (max_pasids %u)", p, dev->iommu->max_pasids);
	return p;
}

static void gfree(ioasid_t p, const char *why)
{
	iommu_free_global_pasid(p);
	say("iommu_free_global_pasid(%u) returned%s", p, why);
}

static int attach(struct iommu_domain *d, const char *dn, struct device *dev, ioasid_t p)
{
	int r = iommu_attach_device_pasid(d, dev, p, NULL);

	say("iommu_attach_device_pasid(%s, pasid %u) = %d", dn, p, r);
	return r;
}

static void detach(struct iommu_domain *d, const char *dn, struct device *dev, ioasid_t p)
{
	iommu_detach_device_pasid(d, dev, p);
	say("iommu_detach_device_pasid(%s, pasid %u) returned", dn, p);
}

static int __init lab_init(void)
{
	struct pci_dev *pdev = NULL;
	struct device *dev = NULL;
	struct iommu_domain *d1, *d2;
	ioasid_t p[8];
	u32 saved;
	int i, n = 0;

	say("begin");
	for_each_pci_dev(pdev)
		if (!strcmp(pci_name(pdev), bdf)) {
			dev = &pci_dev_get(pdev)->dev;
			break;
		}
	if (!dev || !dev->iommu) {
		say("no device %s behind an IOMMU", bdf);
		return -ENODEV;
	}
	say("device %s max_pasids %u", bdf, dev->iommu->max_pasids);
	galloc(dev);				/* the device's own max_pasids (0): INVALID */

	saved = dev->iommu->max_pasids;
	if (max_pasids)
		dev->iommu->max_pasids = max_pasids;
	for (i = 0; i < ARRAY_SIZE(p); i++)
		p[n++] = galloc(dev);		/* [1, max_pasids): the last one fails */
	gfree(p[0], "");
	gfree(p[0], " (again: ida_free WARNs)");

	d1 = iommu_paging_domain_alloc(dev);
	d2 = iommu_paging_domain_alloc(dev);
	if (IS_ERR(d1) || IS_ERR(d2)) {
		say("iommu_paging_domain_alloc failed");
		goto out;
	}
	attach(d1, "d1", dev, p[1]);		/* 0 */
	attach(d1, "d1", dev, p[1]);		/* same domain again: -EBUSY */
	attach(d2, "d2", dev, p[1]);		/* replace without a replace API: -EBUSY */
	attach(d1, "d1", dev, 0);		/* IOMMU_NO_PASID: -EINVAL */
	attach(d1, "d1", dev, 4000);		/* beyond max_pasids: -EINVAL */
	detach(d1, "d1", dev, p[1]);
	attach(d2, "d2", dev, p[1]);		/* the PASID moves to d2 */
	detach(d2, "d2", dev, p[1]);
	gfree(p[1], " (after detach)");

	attach(d1, "d1", dev, p[2]);
	gfree(p[2], " (still attached)");	/* the IDA forgets it, the PASID table does not */
	detach(d1, "d1", dev, p[2]);

	attach(d1, "d1", dev, p[3]);
	detach(d1, "d1", dev, p[3]);
	iommu_domain_free(d1);
	say("iommu_domain_free(d1) returned");
	iommu_domain_free(d2);
	say("iommu_domain_free(d2) returned");
out:
	for (i = 3; i < n; i++)
		if (p[i] != IOMMU_PASID_INVALID)
			gfree(p[i], "");
	dev->iommu->max_pasids = saved;
	put_device(dev);
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
MODULE_DESCRIPTION("pasid-ledger lab: global PASIDs and PASID attach/detach on 6.12");
