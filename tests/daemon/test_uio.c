// SPDX-License-Identifier: Apache-2.0
/*
 * The UIO backend against a fake sysfs tree and /dev directory in a
 * temporary directory. A regular file stands in for /dev/uioN: mmap works on
 * it like on the device, so map offsets can be checked byte for byte with
 * pread/pwrite. Its read()/write() are plain file I/O, not UIO's interrupt
 * count and re-enable: only what carries over is tested (the 4-byte value
 * written, the short read error); EAGAIN of an idle device cannot be
 * produced by a regular file and is left to the hardware.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_fixture.h"
#include "kcs_regs.h"

#define DEV_FILE_SIZE (2 * 4096)

struct fixture {
	char root[64];
	char sys[128];
	char dev[128];
	struct uio_location loc;
};

static void make_dirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(tmp, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(tmp, 0755) == 0 || errno == EEXIST);
}

static void attr_path(char *buf, size_t len, const struct fixture *f, unsigned int index,
		      const char *attr)
{
	snprintf(buf, len, "%s/uio%u/maps/map0/%s", f->sys, index, attr);
}

static void set_attr(const struct fixture *f, unsigned int index, const char *attr,
		     const char *value)
{
	char path[PATH_MAX];

	attr_path(path, sizeof(path), f, index, attr);
	make_file(path, value);
}

static void make_dev_node(const struct fixture *f, unsigned int index)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/uio%u", f->dev, index);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DEV_FILE_SIZE), 0);
	close(fd);
}

/* A sysfs entry like uio_pdrv_genirq's, and a regular file as its /dev node. */
static void make_uio(const struct fixture *f, unsigned int index, const char *name,
		     const char *size, const char *offset)
{
	char path[PATH_MAX], line[300];

	snprintf(path, sizeof(path), "%s/uio%u/maps/map0", f->sys, index);
	make_dirs(path);
	snprintf(path, sizeof(path), "%s/uio%u/name", f->sys, index);
	snprintf(line, sizeof(line), "%s\n", name);
	make_file(path, line);
	set_attr(f, index, "addr", "0x000000001e789000\n");
	set_attr(f, index, "size", size);
	set_attr(f, index, "offset", offset);
	make_dev_node(f, index);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	scratch_dir_make(f->root, sizeof(f->root), "test_uio");
	snprintf(f->sys, sizeof(f->sys), "%s/sys/class/uio", f->root);
	snprintf(f->dev, sizeof(f->dev), "%s/dev", f->root);
	make_dirs(f->sys);
	make_dirs(f->dev);
	f->loc = (struct uio_location){ .sysfs_root = f->sys, .dev_dir = f->dev };

	make_uio(f, 0, "other", "0x0000000000001000\n", "0x0\n");
	make_uio(f, 1, "kcs3", "0x0000000000001000\n", "0x0\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	scratch_dir_remove(f->root);
	free(f);
	return 0;
}

/* Open @device with its log captured, expecting @expected; returns the log. */
static char *open_logged(const struct fixture *f, const char *device, const char *chip_name,
			 int expected, struct kcs_backend **ret)
{
	const struct kcs_chip *c = chip(chip_name);
	struct stderr_capture cap;
	char *log;
	int r;

	capture_stderr_begin(&cap);
	r = uio_backend_open(ret, device, &f->loc, c);
	log = capture_stderr_end(&cap);

	return check_open(device, r, expected, *ret, log);
}

/* Open expecting failure; returns the log text (caller frees). */
static char *open_fails(const struct fixture *f, const char *device, const char *chip_name,
			int expected)
{
	struct kcs_backend *b = NULL;

	return open_logged(f, device, chip_name, expected, &b);
}

static struct kcs_backend *open_ok(const struct fixture *f, const char *device,
				   const char *chip_name)
{
	struct kcs_backend *b = NULL;

	free(open_logged(f, device, chip_name, 0, &b));
	return b;
}

static int dev_fd(const struct fixture *f, unsigned int index)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/uio%u", f->dev, index);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static uint8_t file_byte(int fd, off_t offset)
{
	uint8_t v;

	assert_int_equal(pread(fd, &v, 1, offset), 1);
	return v;
}

static void file_set_byte(int fd, off_t offset, uint8_t v)
{
	assert_int_equal(pwrite(fd, &v, 1, offset), 1);
}

static void test_find_by_name(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "kcs3", "ast2600");
	struct kcs_channel_config cfg = { .channel = 3 };
	struct kcs_regs regs;
	char expected[PATH_MAX + 16];
	int fd = dev_fd(f, 1);

	snprintf(expected, sizeof(expected), "%s/uio1 (kcs3)", f->dev);
	assert_string_equal(b->name, expected);
	assert_true(b->irq_fd >= 0);
	assert_ptr_equal(b->chip, chip("ast2600"));

	/* The mapping is the file uio1 (not uio0): ch3 STR is at 0x44. */
	assert_int_equal(b->ops->channel_regs(b, &cfg, &regs), 0);
	file_set_byte(fd, 0x44, KCS_STR_IBF | KCS_STR_CD);
	assert_int_equal(regs.ops->read_str(regs.ctx), KCS_STR_IBF | KCS_STR_CD);
	regs.ops->write_odr(regs.ctx, 0xA5);
	assert_int_equal(file_byte(fd, 0x38), 0xA5);
	b->page.ops->write(b->page.ctx, 0x0, 4, 0x80);
	assert_int_equal(file_byte(fd, 0x0), 0x80);

	close(fd);
	kcs_backend_close(b);
}

static void test_find_by_path(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], alias[PATH_MAX], expected[PATH_MAX + 16];
	struct kcs_backend *b;

	snprintf(path, sizeof(path), "%s/uio1", f->dev);
	b = open_ok(f, path, "ast2600");
	snprintf(expected, sizeof(expected), "%s (kcs3)", path);
	assert_string_equal(b->name, expected);
	kcs_backend_close(b);

	/* A udev-style alias resolves to the node it points at. */
	snprintf(alias, sizeof(alias), "%s/ipmi-kcs3", f->dev);
	assert_int_equal(symlink("uio1", alias), 0);
	b = open_ok(f, alias, "ast2600");
	snprintf(expected, sizeof(expected), "%s (kcs3)", alias);
	assert_string_equal(b->name, expected);
	kcs_backend_close(b);
}

/* Registers at the start of the map: base = mapping. */
static void test_offset_zero(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "kcs3", "npcm7xx");
	struct kcs_channel_config cfg = { .channel = 1 };
	struct kcs_regs regs;
	int fd = dev_fd(f, 1);

	assert_int_equal(b->ops->channel_regs(b, &cfg, &regs), 0);
	file_set_byte(fd, 0x10, 0x61);
	file_set_byte(fd, 0x0C, KCS_STR_IBF);
	assert_int_equal(regs.ops->read_str(regs.ctx), KCS_STR_IBF);
	assert_int_equal(regs.ops->read_idr(regs.ctx), 0x61);
	regs.ops->write_odr(regs.ctx, 0x3C);
	assert_int_equal(file_byte(fd, 0x0E), 0x3C);
	close(fd);
	kcs_backend_close(b);
}

/*
 * The register block starts 0x800 into the page: every access lands 0x800
 * further into the file than the chip offset.
 */
static void test_offset_in_page(void **state)
{
	struct fixture *f = *state;
	struct kcs_channel_config cfg = { .channel = 2 };
	struct kcs_backend *b;
	struct kcs_regs regs;
	int fd = dev_fd(f, 1);

	set_attr(f, 1, "offset", "0x800\n");

	b = open_ok(f, "kcs3", "npcm7xx");
	assert_int_equal(b->ops->channel_regs(b, &cfg, &regs), 0);
	file_set_byte(fd, 0x1E, 0xFF);            /* where the registers are not */
	file_set_byte(fd, 0x800 + 0x1E, KCS_STR_OBF | KCS_STR_SMS_ATN);
	assert_int_equal(regs.ops->read_str(regs.ctx), KCS_STR_OBF | KCS_STR_SMS_ATN);
	file_set_byte(fd, 0x800 + 0x22, 0x62);
	assert_int_equal(regs.ops->read_idr(regs.ctx), 0x62);
	regs.ops->write_odr(regs.ctx, 0x11);
	assert_int_equal(file_byte(fd, 0x800 + 0x20), 0x11);
	assert_int_equal(file_byte(fd, 0x20), 0);
	regs.ops->update_str(regs.ctx, KCS_STR_STATE_MASK, kcs_str_state_bits(KCS_STATE_ERROR));
	assert_int_equal(file_byte(fd, 0x800 + 0x1E), 0xC0 | KCS_STR_OBF | KCS_STR_SMS_ATN);
	b->page.ops->write(b->page.ctx, 0x2E, 1, 0x09);
	assert_int_equal(file_byte(fd, 0x800 + 0x2E), 0x09);
	kcs_backend_close(b);

	/* ASPEED's 32-bit registers at the same in-page offset. */
	b = open_ok(f, "kcs3", "ast2500");
	cfg.channel = 4;
	assert_int_equal(b->ops->channel_regs(b, &cfg, &regs), 0);
	file_set_byte(fd, 0x800 + 0x11C, KCS_STR_IBF);
	assert_int_equal(regs.ops->read_str(regs.ctx), KCS_STR_IBF);
	b->page.ops->write(b->page.ctx, 0x120, 4, 0x0CA50CA4);
	assert_int_equal(file_byte(fd, 0x800 + 0x120), 0xA4);
	assert_int_equal(file_byte(fd, 0x800 + 0x123), 0x0C);
	assert_int_equal(b->page.ops->read(b->page.ctx, 0x120, 4), 0x0CA50CA4);
	kcs_backend_close(b);
	close(fd);
}

/* NPCM7xx's block ends at 0x41: a small map is enough for it, not ASPEED. */
static void test_small_map(void **state)
{
	struct fixture *f = *state;
	char expected[PATH_MAX + 16];
	struct kcs_backend *b;
	char *log;

	set_attr(f, 1, "size", "0x100\n");
	b = open_ok(f, "kcs3", "npcm7xx");
	kcs_backend_close(b);

	log = open_fails(f, "kcs3", "ast2600", -ERANGE);
	snprintf(expected, sizeof(expected), "%s/uio1 (kcs3)", f->dev);
	assert_true(text_has(log, expected));
	assert_true(text_has(log, "ast2600"));
	assert_true(text_has(log, "0x124 bytes from offset 0x0"));
	assert_true(text_has(log, "map size is 0x100"));
	assert_true(text_has(log, strerror(ERANGE)));
	free(log);

	/* Enough bytes in the map, but not after the in-page offset. */
	set_attr(f, 1, "size", "0x1000\n");
	set_attr(f, 1, "offset", "0xf00\n");
	log = open_fails(f, "kcs3", "ast2600", -ERANGE);
	assert_true(text_has(log, expected));
	assert_true(text_has(log, "0x124 bytes from offset 0xf00"));
	assert_true(text_has(log, "map size is 0x1000"));
	free(log);

	set_attr(f, 1, "offset", "0x1000\n");
	log = open_fails(f, "kcs3", "npcm7xx", -ERANGE);
	assert_true(text_has(log, "offset 0x1000 lies outside its size 0x1000"));
	free(log);

	set_attr(f, 1, "offset", "0x802\n");
	log = open_fails(f, "kcs3", "ast2600", -EINVAL);
	assert_true(text_has(log, "offset 0x802 is not aligned"));
	free(log);
}

/* A node without a reg property has no map 0 at all: named, not mapped. */
static void test_no_map(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], expected[2 * PATH_MAX + 64];
	char *log;

	for (const char *attr = "addr"; attr; attr = strcmp(attr, "addr") == 0 ? "size" :
					       strcmp(attr, "size") == 0 ? "offset" : NULL) {
		snprintf(path, sizeof(path), "%s/uio1/maps/map0/%s", f->sys, attr);
		assert_int_equal(unlink(path), 0);
	}
	snprintf(path, sizeof(path), "%s/uio1/maps/map0", f->sys);
	assert_int_equal(rmdir(path), 0);
	log = open_fails(f, "kcs3", "ast2600", -ENOENT);
	snprintf(expected, sizeof(expected), "%s/uio1 (kcs3): failed to read the map 0 addr from %s/addr",
		 f->dev, path);
	assert_true(text_has(log, expected));
	free(log);
}

static void test_map_size_zero(void **state)
{
	struct fixture *f = *state;
	char expected[PATH_MAX + 16];
	char *log;

	set_attr(f, 1, "size", "0x0\n");
	log = open_fails(f, "kcs3", "ast2600", -EINVAL);
	snprintf(expected, sizeof(expected), "%s/uio1 (kcs3): map 0 has size 0", f->dev);
	assert_true(text_has(log, expected));
	assert_true(text_has(log, strerror(EINVAL)));
	free(log);
}

static void test_missing_sysfs_root(void **state)
{
	struct fixture *f = *state;
	char missing[PATH_MAX];
	char *log;

	snprintf(missing, sizeof(missing), "%s/nonexistent", f->root);
	f->loc.sysfs_root = missing;
	log = open_fails(f, "kcs3", "ast2600", -ENOENT);
	assert_true(text_has(log, missing));
	assert_true(text_has(log, "'kcs3'"));
	assert_true(text_has(log, strerror(ENOENT)));
	free(log);
	f->loc.sysfs_root = f->sys;
}

static void test_no_such_name(void **state)
{
	struct fixture *f = *state;
	char expected[PATH_MAX + 128];
	char empty[PATH_MAX];
	char *log;

	log = open_fails(f, "kcs9", "ast2600", -ENODEV);
	snprintf(expected, sizeof(expected),
		 "No UIO device named 'kcs9' under %s (found: uio0 'other', uio1 'kcs3')", f->sys);
	assert_true(text_has(log, expected));
	assert_true(text_has(log, strerror(ENODEV)));
	free(log);

	/* Entries that are not uioN are no devices. */
	snprintf(empty, sizeof(empty), "%s/empty", f->root);
	make_dirs(empty);
	make_file(strcat(empty, "/README"), "not a device\n");
	empty[strlen(empty) - strlen("/README")] = '\0';
	f->loc.sysfs_root = empty;
	log = open_fails(f, "kcs3", "ast2600", -ENODEV);
	snprintf(expected, sizeof(expected), "No UIO device named 'kcs3' under %s (found: none)",
		 empty);
	assert_true(text_has(log, expected));
	free(log);
	f->loc.sysfs_root = f->sys;
}

/* Numeric order: uio2 comes before uio10 although "uio10" sorts first. */
static void test_duplicate_names(void **state)
{
	struct fixture *f = *state;
	struct stderr_capture cap;
	struct kcs_backend *b = NULL;
	const struct kcs_chip *c;
	char expected[PATH_MAX + 128];
	char *log;
	int r;

	make_uio(f, 10, "dup", "0x1000\n", "0x0\n");
	make_uio(f, 2, "dup", "0x1000\n", "0x0\n");
	make_uio(f, 11, "dup", "0x1000\n", "0x0\n");

	c = chip("ast2600");
	capture_stderr_begin(&cap);
	r = uio_backend_open(&b, "dup", &f->loc, c);
	log = capture_stderr_end(&cap);
	assert_int_equal(r, 0);
	snprintf(expected, sizeof(expected), "%s/uio2 (dup)", f->dev);
	assert_string_equal(b->name, expected);
	snprintf(expected, sizeof(expected),
		 "<4>UIO devices uio2 and uio10 are both named 'dup'; using the first, %s/uio2\n",
		 f->dev);
	assert_true(text_has(log, expected));
	snprintf(expected, sizeof(expected),
		 "<4>UIO devices uio2 and uio11 are both named 'dup'; using the first, %s/uio2\n",
		 f->dev);
	assert_true(text_has(log, expected));
	free(log);
	kcs_backend_close(b);
}

/* Another device with an unreadable name is skipped, not fatal. */
static void test_unreadable_other_name(void **state)
{
	struct fixture *f = *state;
	struct stderr_capture cap;
	struct kcs_backend *b = NULL;
	const struct kcs_chip *c = chip("ast2600");
	char path[PATH_MAX];
	char *log;
	int r;

	snprintf(path, sizeof(path), "%s/uio5/name", f->sys);
	make_dirs(path);

	capture_stderr_begin(&cap);
	r = uio_backend_open(&b, "kcs3", &f->loc, c);
	log = capture_stderr_end(&cap);
	assert_int_equal(r, 0);
	assert_true(text_has(log, "<4>Skipping uio5"));
	assert_true(text_has(log, path));
	assert_true(text_has(log, strerror(EISDIR)));
	free(log);
	kcs_backend_close(b);
}

static void check_attr_errors(const struct fixture *f, const char *attr)
{
	char path[PATH_MAX], label[PATH_MAX + 16];
	char *log;

	attr_path(path, sizeof(path), f, 1, attr);
	snprintf(label, sizeof(label), "%s/uio1 (kcs3)", f->dev);

	/* Garbled */
	set_attr(f, 1, attr, "zz\n");
	log = open_fails(f, "kcs3", "ast2600", -EINVAL);
	assert_true(text_has(log, label));
	assert_true(text_has(log, path));
	assert_true(text_has(log, "'zz'"));
	assert_true(text_has(log, strerror(EINVAL)));
	free(log);

	set_attr(f, 1, attr, "-0x1\n");
	free(open_fails(f, "kcs3", "ast2600", -EINVAL));
	set_attr(f, 1, attr, "0x1000 junk\n");
	free(open_fails(f, "kcs3", "ast2600", -EINVAL));
	set_attr(f, 1, attr, "");
	free(open_fails(f, "kcs3", "ast2600", -EINVAL));
	set_attr(f, 1, attr, "0x10000000000000000\n");
	log = open_fails(f, "kcs3", "ast2600", -ERANGE);
	assert_true(text_has(log, strerror(ERANGE)));
	free(log);

	/* Missing */
	assert_int_equal(unlink(path), 0);
	log = open_fails(f, "kcs3", "ast2600", -ENOENT);
	assert_true(text_has(log, label));
	assert_true(text_has(log, path));
	assert_true(text_has(log, strerror(ENOENT)));
	free(log);

	/* Unreadable (root reads through file modes, so a directory instead) */
	assert_int_equal(mkdir(path, 0755), 0);
	log = open_fails(f, "kcs3", "ast2600", -EISDIR);
	assert_true(text_has(log, path));
	assert_true(text_has(log, strerror(EISDIR)));
	free(log);
	assert_int_equal(rmdir(path), 0);

	set_attr(f, 1, attr, strcmp(attr, "size") == 0 ? "0x1000\n" : "0x0\n");
}

static void test_bad_map_attributes(void **state)
{
	struct fixture *f = *state;

	check_attr_errors(f, "addr");
	check_attr_errors(f, "size");
	check_attr_errors(f, "offset");
	kcs_backend_close(open_ok(f, "kcs3", "ast2600"));
}

static void test_missing_dev_node(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], label[PATH_MAX + 16];
	char *log;

	snprintf(path, sizeof(path), "%s/uio1", f->dev);
	snprintf(label, sizeof(label), "%s (kcs3)", path);
	assert_int_equal(unlink(path), 0);
	log = open_fails(f, "kcs3", "ast2600", -ENOENT);
	assert_true(text_has(log, label));
	assert_true(text_has(log, "failed to open"));
	assert_true(text_has(log, strerror(ENOENT)));
	free(log);

	/* By path: the node may be missing, or its sysfs entry. */
	log = open_fails(f, path, "ast2600", -ENOENT);
	assert_true(text_has(log, label));
	free(log);

	snprintf(path, sizeof(path), "%s/uio7", f->dev);
	log = open_fails(f, path, "ast2600", -ENOENT);
	assert_true(text_has(log, path));
	snprintf(path, sizeof(path), "%s/uio7/name", f->sys);
	assert_true(text_has(log, path));
	assert_true(text_has(log, strerror(ENOENT)));
	free(log);
}

static void test_path_not_uio(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	char *log;

	snprintf(path, sizeof(path), "%s/ttyS0", f->dev);
	make_file(path, "");
	log = open_fails(f, path, "ast2600", -EINVAL);
	assert_true(text_has(log, path));
	assert_true(text_has(log, "is not a UIO device node"));
	free(log);

	snprintf(path, sizeof(path), "%s/missing", f->dev);
	log = open_fails(f, path, "ast2600", -ENOENT);
	assert_true(text_has(log, path));
	assert_true(text_has(log, strerror(ENOENT)));
	free(log);
}

/*
 * On the stand-in file, re-enable's write of the 32-bit value 1 lands at the
 * file position (0): it is visible through the mapping, which also shows the
 * fd and the mapping are the same device. ack reads 4 bytes; at the end of
 * the file the read comes up short, which a UIO device never does.
 */
static void test_ack_reenable(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "kcs3", "ast2600");
	uint8_t bytes[4];
	struct stderr_capture cap;
	char *log;
	int fd = dev_fd(f, 1);
	int r;

	/* Opening read 4 bytes to find out whether the node has an interrupt. */
	assert_true(b->has_irq);
	assert_int_equal(lseek(b->irq_fd, 0, SEEK_SET), 0);
	assert_int_equal(b->ops->reenable(b, false, false), 0);
	assert_int_equal(pread(fd, bytes, 4, 0), 4);
	assert_memory_equal(bytes, ((uint8_t[]){ 1, 0, 0, 0 }), 4);
	assert_int_equal(b->page.ops->read(b->page.ctx, 0, 4), 1);

	assert_int_equal(b->ops->ack(b), 0);
	assert_int_equal(lseek(b->irq_fd, 0, SEEK_CUR), 8);

	assert_int_equal(lseek(b->irq_fd, DEV_FILE_SIZE - 2, SEEK_SET), DEV_FILE_SIZE - 2);
	capture_stderr_begin(&cap);
	r = b->ops->ack(b);
	log = capture_stderr_end(&cap);
	assert_int_equal(r, -EIO);
	assert_true(text_has(log, "(kcs3): short read of the interrupt count (2 bytes)"));
	free(log);

	close(fd);
	kcs_backend_close(b);
}

static void test_channel_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "kcs3", "npcm7xx");
	struct kcs_channel_config cfg = { .channel = 4 };
	struct kcs_regs regs;
	struct stderr_capture cap;
	char *log;
	int r;

	capture_stderr_begin(&cap);
	r = b->ops->channel_regs(b, &cfg, &regs);
	log = capture_stderr_end(&cap);
	assert_int_equal(r, -ENODEV);
	assert_true(text_has(log, "npcm7xx channel 4"));
	free(log);
	kcs_backend_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_by_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offset_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offset_in_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_size_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_sysfs_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_such_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_other_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_map_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dev_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_not_uio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_reenable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channel_out_of_range, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
