// SPDX-License-Identifier: Apache-2.0
/*
 * The hardware backend: the controller's register page and its interrupt
 * through a uio_pdrv_genirq device (docs/design.md section 4).
 *
 * The silicon does the KCS side effects itself (IBF cleared by the IDR read,
 * OBF set by the ODR write), so channel access is lib/kcs_mmio.c on top of
 * plain volatile loads and stores into the mapping.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "cleanup.h"
#include "kcs_mmio.h"
#include "log.h"

struct uio_backend {
	struct kcs_backend base;
	char *label;                /* "/dev/uio3 (kcs3)", backs base.name */
	void *map;
	size_t map_len;
	volatile uint8_t *regs;     /* map + the in-page offset */
	struct kcs_mmio channels[KCS_CHIP_MAX_CHANNELS];
};

/* What sysfs says about one UIO device and its map 0. */
struct uio_info {
	unsigned int index;         /* N of uioN */
	char *dev_path;             /* the node to open */
	char *name;                 /* contents of .../uioN/name */
	char *label;                /* "<dev_path> (<name>)", for messages */
	uint64_t addr, size, offset;
};

static void uio_info_done(struct uio_info *info)
{
	free(info->dev_path);
	free(info->name);
	free(info->label);
}

static void uio_backend_free(struct uio_backend *u)
{
	if (!u)
		return;
	if (u->map && u->map != MAP_FAILED)
		munmap(u->map, u->map_len);
	if (u->base.irq_fd >= 0)
		close(u->base.irq_fd);
	free(u->label);
	free(u);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct uio_backend *, uio_backend_free)

/* "uio12" -> 12; -EINVAL for anything that is not "uio" and digits. */
static int parse_uio_index(const char *s, unsigned int *ret)
{
	unsigned long n;
	char *end;

	if (strncmp(s, "uio", 3) != 0 || s[3] < '0' || s[3] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(s + 3, &end, 10);
	if (errno || *end || n > 0xFFFFFFu)
		return -EINVAL;
	*ret = (unsigned int)n;
	return 0;
}

/* Reads a one-line sysfs attribute, without its trailing newline. */
static int read_attr(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int parse_hex(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	/* sysfs prints "0x..."; strtoull would also take a sign or spaces. */
	if (!((s[0] >= '0' && s[0] <= '9') || (s[0] >= 'a' && s[0] <= 'f') ||
	      (s[0] >= 'A' && s[0] <= 'F')))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno)
		return -errno;
	if (end == s || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int read_map_attr(const char *sysfs_dir, const char *label, const char *attr,
			 uint64_t *ret)
{
	_cleanup_free_ char *path = NULL;
	char buf[64];
	int r;

	if (asprintf(&path, "%s/maps/map0/%s", sysfs_dir, attr) < 0)
		return log_error_errno(ENOMEM, "%s: failed to build the map 0 %s path: %m", label, attr);
	r = read_attr(path, buf, sizeof(buf));
	if (r < 0)
		return log_error_errno(r, "%s: failed to read the map 0 %s from %s: %m",
				       label, attr, path);
	r = parse_hex(buf, ret);
	if (r < 0)
		return log_error_errno(r, "%s: cannot parse the map 0 %s '%s' in %s as a hex number: %m",
				       label, attr, buf, path);
	return 0;
}

struct uio_entry {
	unsigned int index;
	char *name;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct uio_entry *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

struct uio_entries {
	struct uio_entry *v;
	size_t n;
};

static void uio_entries_done(struct uio_entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].name);
	free(e->v);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

static int entries_add(struct uio_entries *e, unsigned int index, const char *name)
{
	struct uio_entry *v = realloc(e->v, (e->n + 1) * sizeof(*e->v));

	if (!v)
		return -ENOMEM;
	e->v = v;
	v[e->n].index = index;
	v[e->n].name = strdup(name);
	if (!v[e->n].name)
		return -ENOMEM;
	e->n++;
	return 0;
}

/* Every uioN under the sysfs root with its name, in numeric order. */
static int scan_sysfs(const char *root, const char *wanted, struct uio_entries *out)
{
	_cleanup_(uio_entries_done) struct uio_entries e = { 0 };
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	d = opendir(root);
	if (!d)
		return log_error_errno(errno, "Failed to open the UIO sysfs directory %s while looking for UIO device '%s' (is the uio module loaded?): %m",
				       root, wanted);
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		unsigned int index;
		char name[256];

		if (parse_uio_index(de->d_name, &index) < 0)
			continue;
		if (asprintf(&path, "%s/%s/name", root, de->d_name) < 0)
			return log_error_errno(ENOMEM, "Failed to scan %s: %m", root);
		r = read_attr(path, name, sizeof(name));
		if (r < 0) {
			/* Another device's trouble must not stop this one. */
			log_warning_errno(r, "Skipping %s while looking for UIO device '%s': cannot read %s: %m",
					  de->d_name, wanted, path);
			continue;
		}
		r = entries_add(&e, index, name);
		if (r < 0)
			return log_error_errno(r, "Failed to scan %s: %m", root);
	}
	if (errno)
		return log_error_errno(errno, "Failed to read the UIO sysfs directory %s: %m", root);
	if (e.n)
		qsort(e.v, e.n, sizeof(*e.v), entry_cmp);
	*out = e;
	e = (struct uio_entries){ 0 };
	return 0;
}

/* "uio0 'foo', uio1 'bar'" for the not-found message; NULL without memory. */
static char *format_entries(const struct uio_entries *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < e->n; i++)
		fprintf(f, "%suio%u '%s'", i ? ", " : "", e->v[i].index, e->v[i].name);
	if (e->n == 0)
		fputs("none", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int find_by_name(const char *name, const struct uio_location *loc, unsigned int *ret)
{
	_cleanup_(uio_entries_done) struct uio_entries e = { 0 };
	_cleanup_free_ char *found = NULL;
	const struct uio_entry *first = NULL;
	int r;

	r = scan_sysfs(loc->sysfs_root, name, &e);
	if (r < 0)
		return r;

	for (size_t i = 0; i < e.n; i++) {
		if (strcmp(e.v[i].name, name) != 0)
			continue;
		if (!first)
			first = &e.v[i];
		else
			log_warning("UIO devices uio%u and uio%u are both named '%s'; using the first, %s/uio%u",
				    first->index, e.v[i].index, name, loc->dev_dir, first->index);
	}
	if (first) {
		*ret = first->index;
		return 0;
	}

	found = format_entries(&e);
	if (!found)
		return log_error_errno(ENOMEM, "No UIO device named '%s' under %s: %m",
				       name, loc->sysfs_root);
	return log_error_errno(ENODEV, "No UIO device named '%s' under %s (found: %s): %m",
			       name, loc->sysfs_root, found);
}

/*
 * A device path: its sysfs entry is named after the node. A symlink (a udev
 * alias) is followed to the node it points at.
 */
static int find_by_path(const char *path, unsigned int *ret)
{
	_cleanup_free_ char *real = NULL;
	const char *base = strrchr(path, '/');

	if (parse_uio_index(base ? base + 1 : path, ret) == 0)
		return 0;
	real = realpath(path, NULL);
	if (!real)
		return log_error_errno(errno, "UIO device %s: cannot resolve the path: %m", path);
	base = strrchr(real, '/');
	if (parse_uio_index(base ? base + 1 : real, ret) == 0)
		return 0;
	return log_error_errno(EINVAL, "%s (%s) is not a UIO device node (expected .../uioN): %m",
			       path, real);
}

static int uio_info_read(struct uio_info *info, const char *device, const struct uio_location *loc)
{
	_cleanup_free_ char *sysfs_dir = NULL, *name_path = NULL;
	bool by_path = strchr(device, '/') != NULL;
	char name[256];
	int r;

	r = by_path ? find_by_path(device, &info->index) :
		      find_by_name(device, loc, &info->index);
	if (r < 0)
		return r;

	if (asprintf(&sysfs_dir, "%s/uio%u", loc->sysfs_root, info->index) < 0 ||
	    asprintf(&name_path, "%s/name", sysfs_dir) < 0)
		return log_error_errno(ENOMEM, "UIO device %s: %m", device);
	if (by_path) {
		info->dev_path = strdup(device);
		r = read_attr(name_path, name, sizeof(name));
		if (r < 0)
			return log_error_errno(r, "UIO device %s: cannot read its sysfs name %s: %m",
					       device, name_path);
		info->name = strdup(name);
	} else {
		if (asprintf(&info->dev_path, "%s/uio%u", loc->dev_dir, info->index) < 0)
			info->dev_path = NULL;
		info->name = strdup(device);
	}
	if (!info->dev_path || !info->name ||
	    asprintf(&info->label, "%s (%s)", info->dev_path, info->name) < 0)
		return log_error_errno(ENOMEM, "UIO device %s: %m", device);

	r = read_map_attr(sysfs_dir, info->label, "addr", &info->addr);
	if (r < 0)
		return r;
	r = read_map_attr(sysfs_dir, info->label, "size", &info->size);
	if (r < 0)
		return r;
	return read_map_attr(sysfs_dir, info->label, "offset", &info->offset);
}

/*
 * One past the highest register the chip code touches: channel registers
 * and the chip-level ones of lib/kcs_chip.c (ASPEED LSADR12 at 0x120,
 * NPCM7xx channel 3 interrupt enable at 0x40).
 */
static int check_map(const struct uio_info *info, const struct kcs_chip *chip, size_t page_size)
{
	uint32_t span = chip->page_span;

	if (info->size == 0)
		return log_error_errno(EINVAL, "%s: map 0 has size 0: the device tree node needs a reg property covering the %s register page: %m",
				       info->label, chip->name);
	if (info->size > SIZE_MAX - page_size)
		return log_error_errno(ERANGE, "%s: map 0 size 0x%" PRIx64 " cannot be mapped: %m",
				       info->label, info->size);
	if (info->offset >= info->size)
		return log_error_errno(ERANGE, "%s: map 0 offset 0x%" PRIx64 " lies outside its size 0x%" PRIx64 ": %m",
				       info->label, info->offset, info->size);
	if (info->offset % chip->reg_width)
		return log_error_errno(EINVAL, "%s: map 0 offset 0x%" PRIx64 " is not aligned to the %s's %u-byte registers: %m",
				       info->label, info->offset, chip->name, chip->reg_width);
	if (info->size - info->offset < span)
		return log_error_errno(ERANGE, "%s: map 0 is too small for the %s registers: they need 0x%" PRIx32 " bytes from offset 0x%" PRIx64 ", but the map size is 0x%" PRIx64 " (give the node the whole page): %m",
				       info->label, chip->name, span, info->offset, info->size);
	return 0;
}

static uint32_t uio_page_read(void *ctx, uint32_t offset, unsigned int width)
{
	struct uio_backend *u = ctx;

	if (width == 1)
		return *(volatile uint8_t *)(u->regs + offset);
	return *(volatile uint32_t *)(u->regs + offset);
}

static void uio_page_write(void *ctx, uint32_t offset, unsigned int width, uint32_t value)
{
	struct uio_backend *u = ctx;

	if (width == 1)
		*(volatile uint8_t *)(u->regs + offset) = (uint8_t)value;
	else
		*(volatile uint32_t *)(u->regs + offset) = value;
}

static const struct kcs_page_ops uio_page_ops = {
	.read = uio_page_read,
	.write = uio_page_write,
};

/* Bytes read (UIO answers exactly 4, the interrupt count) or -errno; logs nothing. */
static ssize_t read_irq_count(int irq_fd)
{
	uint32_t count;
	ssize_t n;

	do
		n = read(irq_fd, &count, sizeof(count));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int uio_ack(struct kcs_backend *b)
{
	struct uio_backend *u = (struct uio_backend *)b;
	ssize_t n = read_irq_count(b->irq_fd);

	if (n == -EAGAIN)
		return -EAGAIN;
	if (n < 0)
		return log_error_errno((int)-n, "%s: failed to read the interrupt count: %m", u->label);
	if (n != sizeof(uint32_t))
		return log_error_errno(EIO, "%s: short read of the interrupt count (%zd bytes): %m",
				       u->label, n);
	return 0;
}

static int uio_reenable(struct kcs_backend *b, bool served_masked, bool served_live)
{
	struct uio_backend *u = (struct uio_backend *)b;
	const uint32_t one = 1;
	ssize_t n;

	/* Masked, the line raises no event: only a live one may have counted. */
	if (served_live) {
		int r = uio_ack(b);

		if (r < 0 && r != -EAGAIN)
			return r;
	}

	do
		n = write(b->irq_fd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return log_error_errno(errno, "%s: failed to re-enable the interrupt: %m", u->label);
	if (n != sizeof(one))
		return log_error_errno(EIO, "%s: short write re-enabling the interrupt (%zd bytes): %m",
				       u->label, n);
	return 0;
}

/*
 * uio_pdrv_genirq without an interrupt answers read(), write() and poll()
 * on the node with EIO. A non-blocking read tells: EAGAIN (or a count, which
 * the start-up pass serves anyway) means there is a line.
 */
static int probe_irq(struct uio_backend *u)
{
	ssize_t n = read_irq_count(u->base.irq_fd);

	if (n >= 0 || n == -EAGAIN)
		return 1;
	if (n == -EIO)
		return 0;
	return log_error_errno((int)-n, "%s: failed to read the interrupt count: %m", u->label);
}

static int uio_channel_regs(struct kcs_backend *b, const struct kcs_channel_config *cfg,
			    struct kcs_regs *out)
{
	struct uio_backend *u = (struct uio_backend *)b;
	struct kcs_mmio *m;
	int r;

	if (cfg->channel < 1 || cfg->channel > KCS_CHIP_MAX_CHANNELS)
		return log_error_errno(ENODEV, "%s: %s has no KCS channel %u: %m",
				       u->label, b->chip->name, cfg->channel);
	m = &u->channels[cfg->channel - 1];
	r = kcs_mmio_init(m, b->chip, &b->page, cfg);
	if (r < 0)
		return log_error_errno(r, "%s: %s channel %u: %m", u->label, b->chip->name, cfg->channel);
	*out = kcs_mmio_regs(m);
	return 0;
}

static void uio_close(struct kcs_backend *b)
{
	uio_backend_free((struct uio_backend *)b);
}

static const struct kcs_backend_ops uio_ops = {
	.ack = uio_ack,
	.reenable = uio_reenable,
	.channel_regs = uio_channel_regs,
	.close = uio_close,
};

int uio_backend_open(struct kcs_backend **ret, const char *device,
		     const struct uio_location *loc, const struct kcs_chip *chip)
{
	_cleanup_(uio_info_done) struct uio_info info = { 0 };
	_cleanup_(uio_backend_freep) struct uio_backend *u = NULL;
	long page_size = sysconf(_SC_PAGESIZE);
	int r;

	if (!ret || !device || !*device || !loc || !loc->sysfs_root || !loc->dev_dir || !chip)
		return -EINVAL;
	if (page_size <= 0)
		return log_error_errno(errno ? errno : EINVAL, "UIO device %s: cannot get the page size: %m",
				       device);

	r = uio_info_read(&info, device, loc);
	if (r < 0)
		return r;
	r = check_map(&info, chip, (size_t)page_size);
	if (r < 0)
		return r;

	u = calloc(1, sizeof(*u));
	if (!u)
		return log_error_errno(ENOMEM, "%s: %m", info.label);
	u->base.irq_fd = -1;
	u->label = TAKE_PTR(info.label);

	/* Non-blocking: the loop polls, and ack must not wait for a count. */
	u->base.irq_fd = open(info.dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (u->base.irq_fd < 0)
		return log_error_errno(errno, "%s: failed to open %s: %m", u->label, info.dev_path);

	/* Map M of a UIO device is selected by the mmap offset M * page size. */
	u->map_len = ((size_t)info.size + (size_t)page_size - 1) & ~((size_t)page_size - 1);
	u->map = mmap(NULL, u->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, u->base.irq_fd,
		      0 * page_size);
	if (u->map == MAP_FAILED) {
		u->map = NULL;
		return log_error_errno(errno, "%s: failed to map 0x%zx bytes of map 0 from %s: %m",
				       u->label, u->map_len, info.dev_path);
	}
	u->regs = (volatile uint8_t *)u->map + info.offset;

	u->base.ops = &uio_ops;
	u->base.chip = chip;
	u->base.name = u->label;
	u->base.page = (struct kcs_page){ .ops = &uio_page_ops, .ctx = u };
	u->base.controller_addr = info.addr + info.offset;

	r = probe_irq(u);
	if (r < 0)
		return r;
	u->base.has_irq = r > 0;

	log_info("%s: %s registers at 0x%" PRIx64 " + 0x%" PRIx64 " (map 0 size 0x%" PRIx64 "), %s",
		 u->label, chip->name, info.addr, info.offset, info.size,
		 u->base.has_irq ? "with an interrupt" : "no interrupt (polled)");
	*ret = &TAKE_PTR(u)->base;
	return 0;
}
