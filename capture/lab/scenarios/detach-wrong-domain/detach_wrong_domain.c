// SPDX-License-Identifier: GPL-2.0
/*
 * Lab scenario (6.12): detach a PASID with a domain other than the attached one. From v6.11 the core
 * no longer WARNs: iommu_detach_device_pasid hands the wrong domain to the driver, and the Intel
 * driver's intel_iommu_remove_dev_pasid finds no dev_pasid for it and oopses in
 * cache_tag_unassign_domain. First written outside the repo and run with --scenario DIR.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/err.h>

static int __init t_init(void)
{
	struct pci_dev *pdev = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(2, 0));
	struct iommu_domain *a, *b;
	u32 saved;
	int r;

	if (!pdev || !pdev->dev.iommu)
		return -ENODEV;
	saved = pdev->dev.iommu->max_pasids;
	pdev->dev.iommu->max_pasids = 16;
	a = iommu_paging_domain_alloc(&pdev->dev);
	b = iommu_paging_domain_alloc(&pdev->dev);
	r = iommu_attach_device_pasid(a, &pdev->dev, 5, NULL);
	pr_info("lab: attach a pasid 5 = %d\n", r);
	iommu_detach_device_pasid(b, &pdev->dev, 5);
	pr_info("lab: detach b pasid 5 returned\n");
	r = iommu_attach_device_pasid(a, &pdev->dev, 5, NULL);
	pr_info("lab: attach a pasid 5 again = %d\n", r);
	iommu_detach_device_pasid(a, &pdev->dev, 5);
	pr_info("lab: detach a pasid 5 returned\n");
	iommu_domain_free(a);
	iommu_domain_free(b);
	pdev->dev.iommu->max_pasids = saved;
	pci_dev_put(pdev);
	return 0;
}

static void __exit t_exit(void) { }
module_init(t_init);
module_exit(t_exit);
MODULE_LICENSE("GPL");
