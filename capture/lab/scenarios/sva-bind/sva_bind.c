// SPDX-License-Identifier: GPL-2.0
/*
 * Lab scenario (6.1 and 6.12): the error paths of iommu_sva_bind_device. QEMU has no device with a
 * PASID/PRI capability, so no bind can succeed here; what each kernel returns for a PCI device behind
 * the vIOMMU and for a device with no IOMMU at all is the oracle.
 */
#include <linux/module.h>
#include <linux/version.h>
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/err.h>
#include <linux/sched.h>

#define say(fmt, ...) pr_info("lab: " fmt "\n", ##__VA_ARGS__)

static char *bdf = "0000:00:02.0";
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI device to bind");

static void bind(struct device *dev, const char *what)
{
	struct iommu_sva *h;

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	h = iommu_sva_bind_device(dev, current->mm, NULL);
#else
	h = iommu_sva_bind_device(dev, current->mm);
#endif
	if (IS_ERR(h)) {
		say("iommu_sva_bind_device(%s) = %ld", what, PTR_ERR(h));
		return;
	}
	say("iommu_sva_bind_device(%s) = a handle", what);
	iommu_sva_unbind_device(h);
	say("iommu_sva_unbind_device returned");
}

static int __init lab_init(void)
{
	struct pci_dev *pdev = NULL;
	struct device *plain;

	say("begin");
	for_each_pci_dev(pdev)
		if (!strcmp(pci_name(pdev), bdf)) {
			say("%s: pasid capability %d, iommu group %s", bdf,
			    pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_PASID),
			    pdev->dev.iommu_group ? "yes" : "no");
			bind(&pdev->dev, bdf);
			bind(&pdev->dev, bdf);	/* the same again: nothing was bound */
			pci_dev_put(pdev);
			break;
		}
	/* A device no IOMMU knows: no group, no dev->iommu. */
	plain = root_device_register("lab_plain");
	if (!IS_ERR(plain)) {
		bind(plain, "lab_plain");
		root_device_unregister(plain);
	}
	say("end");
	return 0;
}

static void __exit lab_exit(void)
{
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pasid-ledger lab: iommu_sva_bind_device error paths");
