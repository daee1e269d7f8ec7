// SPDX-License-Identifier: Apache-2.0
/*
 * The simulated device backend: creation and reuse of DIR/regs/irq, the
 * rules on who may own and change them (no links, nobody else's files, a
 * truncated page ends the daemon cleanly), and the
 * BMC-side register operations against a host side that follows the
 * contract of docs/design.md section 6 (its own mapping of regs, its own
 * end of the FIFO, common/sim_page.h's host operations), including two
 * threads racing on the STR word.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_fixture.h"
#include "kcs_regs.h"
#include "sim_page.h"

#define STRESS_ITERATIONS 200000

struct fixture {
	char root[64];
	char dir[128];
	char regs_path[160];
	char irq_path[160];
	char dir2[128];            /* a second device of the same process */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	scratch_dir_make(f->root, sizeof(f->root), "test_sim");
	/* Two missing levels: the backend creates the whole path. */
	snprintf(f->dir, sizeof(f->dir), "%s/run/kcs", f->root);
	snprintf(f->regs_path, sizeof(f->regs_path), "%s/" SIM_PAGE_REGS_FILE, f->dir);
	snprintf(f->irq_path, sizeof(f->irq_path), "%s/" SIM_PAGE_IRQ_FILE, f->dir);
	snprintf(f->dir2, sizeof(f->dir2), "%s/run/second", f->root);
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

/* Open @dir with its log captured, expecting @expected; returns the log. */
static char *open_logged(const char *dir, const char *chip_name, int expected,
			 struct kcs_backend **ret)
{
	const struct kcs_chip *c = chip(chip_name);
	struct stderr_capture cap;
	char *log;
	int r;

	capture_stderr_begin(&cap);
	r = sim_backend_open(ret, dir, c);
	log = capture_stderr_end(&cap);

	return check_open(dir, r, expected, *ret, log);
}

static struct kcs_backend *open_ok(const struct fixture *f, const char *chip_name)
{
	struct kcs_backend *b = NULL;

	free(open_logged(f->dir, chip_name, 0, &b));
	return b;
}

/* Open expecting failure; returns the log text (caller frees). */
static char *open_fails(const struct fixture *f, const char *dir, int expected)
{
	struct kcs_backend *b = NULL;

	return open_logged(dir, "ast2600", expected, &b);
}

static struct kcs_regs channel(struct kcs_backend *b, unsigned int ch)
{
	struct kcs_channel_config cfg = { .channel = ch };
	struct kcs_regs regs;

	assert_int_equal(b->ops->channel_regs(b, &cfg, &regs), 0);
	return regs;
}

/* A second BMC side on the same device is refused while the first runs. */
static void test_second_daemon_refused(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *first = open_ok(f, "ast2600");
	char *log = open_fails(f, f->dir, -EBUSY);

	assert_true(text_has(log, "in use by another kcs-uiod"));
	assert_true(text_has(log, f->dir));
	free(log);
	kcs_backend_close(first);
	kcs_backend_close(open_ok(f, "ast2600"));
}

/* ---- The host side of one channel, as the contract describes it ---- */

struct host {
	struct sim_page_channel regs;
	int irq_fd;
};

static void host_open(struct host *h, const struct fixture *f, const char *chip_name,
		      unsigned int ch)
{
	int fd = open(f->regs_path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	h->regs.page = mmap(NULL, SIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(h->regs.page != MAP_FAILED);
	close(fd);
	h->irq_fd = open(f->irq_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(h->irq_fd >= 0);
	h->regs.width = chip(chip_name)->reg_width;
	assert_int_equal(kcs_chip_channel(chip(chip_name), ch, &h->regs.offs), 0);
}

static void host_close(struct host *h)
{
	munmap(h->regs.page, SIM_PAGE_SIZE);
	close(h->irq_fd);
}

static uint8_t host_status(const struct host *h)
{
	return sim_page_read_str(&h->regs);
}

static void host_write(const struct host *h, uint8_t byte, bool command)
{
	sim_page_host_write(&h->regs, byte, command);
	assert_int_equal(sim_page_raise_irq(h->irq_fd), 0);
}

static uint8_t host_read_data(const struct host *h)
{
	return sim_page_host_read(&h->regs);
}

static void file_read(const char *path, off_t offset, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, offset), (ssize_t)len);
	close(fd);
}

static void file_write(const char *path, off_t offset, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, offset), (ssize_t)len);
	close(fd);
}

/* ---- Creation and reuse ---- */

static void test_creates_device(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "ast2600");
	static const uint8_t zeros[SIM_PAGE_SIZE];
	uint8_t page[SIM_PAGE_SIZE];
	char expected[PATH_MAX + 8];
	struct stat st;

	snprintf(expected, sizeof(expected), "sim %s", f->dir);
	assert_string_equal(b->name, expected);
	assert_ptr_equal(b->chip, chip("ast2600"));
	assert_true(b->irq_fd >= 0);

	assert_int_equal(stat(f->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(f->regs_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, SIM_PAGE_SIZE);
	file_read(f->regs_path, 0, page, sizeof(page));
	assert_memory_equal(page, zeros, sizeof(page));
	assert_int_equal(stat(f->irq_path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_true(fcntl(b->irq_fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(b->irq_fd, F_GETFD) & FD_CLOEXEC);
	kcs_backend_close(b);
}

static void test_reuses_device(void **state)
{
	struct fixture *f = *state;
	const uint8_t mark[4] = { 0x5A, 0xA5, 0x01, 0x02 };
	struct kcs_backend *b = open_ok(f, "ast2600");
	struct stat before, after;
	uint8_t got[4];

	kcs_backend_close(b);
	file_write(f->regs_path, 0x44, mark, sizeof(mark));
	assert_int_equal(stat(f->regs_path, &before), 0);

	b = open_ok(f, "ast2600");
	assert_int_equal(b->page.ops->read(b->page.ctx, 0x44, 4), 0x0201A55Au);
	file_read(f->regs_path, 0x44, got, sizeof(got));
	assert_memory_equal(got, mark, sizeof(mark));
	assert_int_equal(stat(f->regs_path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	kcs_backend_close(b);
}

static void test_wrong_size_regs(void **state)
{
	struct fixture *f = *state;
	char *log;
	int fd;

	kcs_backend_close(open_ok(f, "ast2600"));
	fd = open(f->regs_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	close(fd);

	log = open_fails(f, f->dir, -EINVAL);
	assert_true(text_has(log, f->regs_path));
	assert_true(text_has(log, "is 100 bytes, not 4096"));
	assert_true(text_has(log, strerror(EINVAL)));
	free(log);

	assert_int_equal(unlink(f->regs_path), 0);
	assert_int_equal(mkdir(f->regs_path, 0755), 0);
	log = open_fails(f, f->dir, -EISDIR);
	assert_true(text_has(log, f->regs_path));
	assert_true(text_has(log, strerror(EISDIR)));
	free(log);
}

static void test_irq_not_fifo(void **state)
{
	struct fixture *f = *state;
	char *log;

	kcs_backend_close(open_ok(f, "ast2600"));
	assert_int_equal(unlink(f->irq_path), 0);
	make_file(f->irq_path, "");
	log = open_fails(f, f->dir, -EINVAL);
	assert_true(text_has(log, f->irq_path));
	assert_true(text_has(log, "is not a FIFO"));
	assert_true(text_has(log, strerror(EINVAL)));
	free(log);
}

static void test_dir_not_directory(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	char *log;

	snprintf(path, sizeof(path), "%s/file", f->root);
	make_file(path, "");
	log = open_fails(f, path, -ENOTDIR);
	assert_true(text_has(log, path));
	assert_true(text_has(log, "is not a directory"));
	free(log);

	/* A component on the way is a file. */
	strcat(path, "/sub");
	log = open_fails(f, path, -ENOTDIR);
	assert_true(text_has(log, path));
	assert_true(text_has(log, strerror(ENOTDIR)));
	free(log);
}

/* ---- Who may own and change the device's files (docs/design.md section 8) ---- */

static void test_created_private(void **state)
{
	struct fixture *f = *state;
	mode_t old = umask(0);
	struct kcs_backend *b = open_ok(f, "ast2600");
	struct stat st;

	umask(old);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(f->regs_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(f->irq_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	kcs_backend_close(b);
}

/* Open @dir expecting @expected with @words in the log. */
static void expect_refused(const struct fixture *f, const char *dir, int expected,
			   const char *path, const char *words)
{
	char *log = open_fails(f, dir, expected);

	if (!text_has(log, path) || !text_has(log, words))
		fail_msg("log does not name %s with '%s':\n%s", path, words, log);
	free(log);
}

static void test_symlinks_refused(void **state)
{
	struct fixture *f = *state;
	char link[PATH_MAX], target[PATH_MAX], slash[PATH_MAX + 1];
	uint8_t page[SIM_PAGE_SIZE];
	static const uint8_t zeros[SIM_PAGE_SIZE];

	kcs_backend_close(open_ok(f, "ast2600"));

	/* DIR itself, with or without a trailing slash. */
	snprintf(link, sizeof(link), "%s/link", f->root);
	assert_int_equal(symlink(f->dir, link), 0);
	expect_refused(f, link, -ELOOP, link, "is a symbolic link");
	snprintf(slash, sizeof(slash), "%s/", link);
	expect_refused(f, slash, -ELOOP, link, "is a symbolic link");

	/* regs pointing elsewhere: refused, and the target is not written. */
	snprintf(target, sizeof(target), "%s/elsewhere", f->root);
	make_file(target, "");
	assert_int_equal(truncate(target, SIM_PAGE_SIZE), 0);
	assert_int_equal(unlink(f->regs_path), 0);
	assert_int_equal(symlink(target, f->regs_path), 0);
	expect_refused(f, f->dir, -ELOOP, f->regs_path, "is a symbolic link");
	file_read(target, 0, page, sizeof(page));
	assert_memory_equal(page, zeros, sizeof(page));
	assert_int_equal(unlink(f->regs_path), 0);

	/* irq pointing at another FIFO. */
	kcs_backend_close(open_ok(f, "ast2600"));
	snprintf(target, sizeof(target), "%s/fifo", f->root);
	assert_int_equal(mkfifo(target, 0600), 0);
	assert_int_equal(unlink(f->irq_path), 0);
	assert_int_equal(symlink(target, f->irq_path), 0);
	expect_refused(f, f->dir, -ELOOP, f->irq_path, "is a symbolic link");
}

static void test_writable_by_others_refused(void **state)
{
	struct fixture *f = *state;

	kcs_backend_close(open_ok(f, "ast2600"));
	assert_int_equal(chmod(f->regs_path, 0620), 0);
	expect_refused(f, f->dir, -EPERM, f->regs_path, "is writable by group or others (mode 0620)");
	assert_int_equal(chmod(f->regs_path, 0600), 0);

	assert_int_equal(chmod(f->irq_path, 0602), 0);
	expect_refused(f, f->dir, -EPERM, f->irq_path, "is writable by group or others (mode 0602)");
	assert_int_equal(chmod(f->irq_path, 0600), 0);

	assert_int_equal(chmod(f->dir, 0777), 0);
	expect_refused(f, f->dir, -EPERM, f->dir, "is writable by group or others (mode 0777)");
	assert_int_equal(chmod(f->dir, 0755), 0);
	kcs_backend_close(open_ok(f, "ast2600"));
}

/* Only root can give a file away; elsewhere there is nothing to check. */
static void test_foreign_owner_refused(void **state)
{
	struct fixture *f = *state;
	const uid_t other = 4242;

	if (geteuid() != 0) {
		skip();
		return;
	}
	kcs_backend_close(open_ok(f, "ast2600"));
	assert_int_equal(chown(f->regs_path, other, (gid_t)-1), 0);
	expect_refused(f, f->dir, -EPERM, f->regs_path, "belongs to uid 4242, not to uid 0");
	assert_int_equal(chown(f->regs_path, 0, (gid_t)-1), 0);
	assert_int_equal(chown(f->irq_path, other, (gid_t)-1), 0);
	expect_refused(f, f->dir, -EPERM, f->irq_path, "belongs to uid 4242");
	assert_int_equal(chown(f->irq_path, 0, (gid_t)-1), 0);
	assert_int_equal(chown(f->dir, other, (gid_t)-1), 0);
	expect_refused(f, f->dir, -EPERM, f->dir, "belongs to uid 4242");
}

/* Which devices the child of a truncation test has open when f->dir's regs shrinks. */
enum truncation_case {
	TRUNCATE_ONLY_DEVICE,
	TRUNCATE_FIRST_OF_TWO,         /* the second, opened later, stays open */
	TRUNCATE_AFTER_SECOND_CLOSED,  /* closing the second leaves the first guarded */
};

/*
 * regs truncated while the daemon has it mapped: the next register access
 * ends the process with status 1 and one error line naming that device (in
 * a child, which plays the daemon).
 */
static void check_truncated_under_daemon(const struct fixture *f, enum truncation_case how)
{
	char log[1024] = "";
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	kcs_backend_close(open_ok(f, "ast2600"));
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct kcs_backend *b = NULL, *second = NULL;
		struct kcs_channel_config cfg = { .channel = 3 };
		struct kcs_regs regs;

		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		if (sim_backend_open(&b, f->dir, chip("ast2600")) < 0 ||
		    b->ops->channel_regs(b, &cfg, &regs) < 0)
			_exit(3);
		if (how != TRUNCATE_ONLY_DEVICE && sim_backend_open(&second, f->dir2, chip("ast2600")) < 0)
			_exit(3);
		if (how == TRUNCATE_AFTER_SECOND_CLOSED)
			kcs_backend_close(second);
		if (truncate(f->regs_path, 0) < 0)
			_exit(3);
		(void)regs.ops->read_str(regs.ctx);
		_exit(2);   /* the access must not come back */
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], log + got, sizeof(log) - 1 - (size_t)got)) > 0)
		got += n;
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
		fail_msg("child status 0x%x, want exit 1; log:\n%s", status, log);
	assert_true(text_has(log, "<3>sim "));
	assert_true(text_has(log, f->regs_path));
	assert_true(text_has(log, "was truncated under the running daemon"));

	/* The next start refuses the file until it is removed. */
	expect_refused(f, f->dir, -EINVAL, f->regs_path, "is 0 bytes, not 4096");
}

static void test_truncated_under_daemon(void **state)
{
	check_truncated_under_daemon(*state, TRUNCATE_ONLY_DEVICE);
}

static void test_truncated_first_of_two(void **state)
{
	check_truncated_under_daemon(*state, TRUNCATE_FIRST_OF_TWO);
}

static void test_truncated_after_second_closed(void **state)
{
	check_truncated_under_daemon(*state, TRUNCATE_AFTER_SECOND_CLOSED);
}

/* ---- BMC-side operations against the host side ---- */

static void check_transfer(const struct fixture *f, const char *chip_name, unsigned int ch)
{
	struct kcs_backend *b = open_ok(f, chip_name);
	struct kcs_regs regs = channel(b, ch);
	struct host h;

	host_open(&h, f, chip_name, ch);

	host_write(&h, KCS_CTRL_WRITE_START, true);
	assert_int_equal(regs.ops->read_str(regs.ctx), KCS_STR_IBF | KCS_STR_CD);
	assert_int_equal(regs.ops->read_idr(regs.ctx), KCS_CTRL_WRITE_START);
	assert_int_equal(host_status(&h), KCS_STR_CD);

	regs.ops->update_str(regs.ctx, KCS_STR_STATE_MASK, kcs_str_state_bits(KCS_STATE_WRITE));
	host_write(&h, 0x18, false);
	assert_int_equal(host_status(&h), kcs_str_state_bits(KCS_STATE_WRITE) | KCS_STR_IBF);
	assert_int_equal(regs.ops->read_idr(regs.ctx), 0x18);
	assert_int_equal(host_status(&h), kcs_str_state_bits(KCS_STATE_WRITE));

	regs.ops->write_odr(regs.ctx, 0x1C);
	assert_int_equal(host_status(&h), kcs_str_state_bits(KCS_STATE_WRITE) | KCS_STR_OBF);
	if (h.regs.width == 4) {
		uint8_t word[4];

		/* 32-bit little-endian register: the byte, zero-extended. */
		file_read(f->regs_path, h.regs.offs.odr, word, sizeof(word));
		assert_memory_equal(word, ((uint8_t[]){ 0x1C, 0, 0, 0 }), 4);
	}
	regs.ops->update_str(regs.ctx, KCS_STR_SMS_ATN, KCS_STR_SMS_ATN);
	assert_int_equal(host_read_data(&h), 0x1C);
	assert_int_equal(regs.ops->read_str(regs.ctx),
			 kcs_str_state_bits(KCS_STATE_WRITE) | KCS_STR_SMS_ATN);

	/* The state/SMS_ATN update leaves the host's bits alone. */
	host_write(&h, 0x62, true);
	regs.ops->write_odr(regs.ctx, 0x00);
	regs.ops->update_str(regs.ctx, KCS_STR_STATE_MASK | KCS_STR_SMS_ATN,
			     kcs_str_state_bits(KCS_STATE_READ));
	assert_int_equal(host_status(&h), kcs_str_state_bits(KCS_STATE_READ) | KCS_STR_IBF |
					  KCS_STR_CD | KCS_STR_OBF);

	host_close(&h);
	kcs_backend_close(b);
}

static void test_transfer_ast2600(void **state)
{
	check_transfer(*state, "ast2600", 3);
	check_transfer(*state, "ast2600", 4);
}

static void test_transfer_npcm7xx(void **state)
{
	check_transfer(*state, "npcm7xx", 1);
	check_transfer(*state, "npcm7xx", 2);
}

static void test_ack(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "ast2600");
	struct host h;

	channel(b, 3);
	host_open(&h, f, "ast2600", 3);
	assert_int_equal(b->ops->ack(b), -EAGAIN);
	host_write(&h, 0x61, true);
	assert_int_equal(b->ops->ack(b), 0);
	assert_int_equal(b->ops->ack(b), -EAGAIN);

	/* Several host writes, one ack drains them all. */
	for (int i = 0; i < 5; i++)
		host_write(&h, (uint8_t)i, false);
	assert_int_equal(b->ops->ack(b), 0);
	assert_int_equal(b->ops->ack(b), -EAGAIN);

	host_close(&h);
	kcs_backend_close(b);
}

/*
 * Re-enable after serving drops what piled up in the FIFO (the caller reads
 * STR, the level of the line, right after) and never fails on an empty
 * FIFO; with nothing served it leaves the FIFO alone.
 */
static void test_reenable(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "ast2500");
	struct host h2, h3;

	channel(b, 2);
	channel(b, 3);
	host_open(&h2, f, "ast2500", 2);
	host_open(&h3, f, "ast2500", 3);
	assert_true(b->has_irq);
	assert_int_equal(b->ops->reenable(b, true, false), 0);

	for (int i = 0; i < 300; i++)
		host_write(i % 2 ? &h2 : &h3, (uint8_t)i, false);
	assert_int_equal(b->ops->reenable(b, true, false), 0);
	assert_int_equal(b->ops->ack(b), -EAGAIN);
	host_write(&h3, 0x61, true);
	assert_int_equal(b->ops->reenable(b, false, true), 0);
	assert_int_equal(b->ops->ack(b), -EAGAIN);
	/* Nothing served since the ack: what is in the FIFO is a real interrupt. */
	host_write(&h3, 0x62, true);
	assert_int_equal(b->ops->reenable(b, false, false), 0);
	assert_int_equal(b->ops->ack(b), 0);

	host_close(&h2);
	host_close(&h3);
	kcs_backend_close(b);
}

/* DIR/noirq: an interrupt-less device, no FIFO created or opened. */
static void test_irq_less(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b;
	char marker[200];
	struct stat st;
	char *log;

	b = open_ok(f, "ast2600");
	kcs_backend_close(b);
	assert_int_equal(unlink(f->irq_path), 0);
	snprintf(marker, sizeof(marker), "%s/" SIM_PAGE_NOIRQ_FILE, f->dir);
	make_file(marker, "");

	log = open_logged(f->dir, "ast2600", 0, &b);
	assert_true(text_has(log, "interrupt none (noirq)"));
	free(log);
	assert_false(b->has_irq);
	assert_int_equal(b->irq_fd, -1);
	assert_int_equal(stat(f->irq_path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(b->controller_addr, 0);
	kcs_backend_close(b);
}

static void test_npcm_byte_lanes(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "npcm7xx");
	struct kcs_regs ch2 = channel(b, 2);
	const uint8_t fill[8] = { 0xA1, 0xB2, 0x00, 0xC3, 0x00, 0xD4, 0x00, 0xE5 };
	uint8_t got[8];
	struct host h;

	file_write(f->regs_path, 0x1C, fill, sizeof(fill));
	host_open(&h, f, "npcm7xx", 2);

	host_write(&h, 0x61, true);
	assert_int_equal(ch2.ops->read_str(ch2.ctx), KCS_STR_IBF | KCS_STR_CD);
	assert_int_equal(ch2.ops->read_idr(ch2.ctx), 0x61);
	ch2.ops->update_str(ch2.ctx, KCS_STR_STATE_MASK | KCS_STR_SMS_ATN,
			    kcs_str_state_bits(KCS_STATE_ERROR) | KCS_STR_SMS_ATN);
	ch2.ops->write_odr(ch2.ctx, 0x7E);

	file_read(f->regs_path, 0x1C, got, sizeof(got));
	assert_int_equal(got[0], 0xA1);
	assert_int_equal(got[1], 0xB2);
	assert_int_equal(got[2], KCS_STR_CD | KCS_STR_OBF | KCS_STR_SMS_ATN | 0xC0);
	assert_int_equal(got[3], 0xC3);
	assert_int_equal(got[4], 0x7E);
	assert_int_equal(got[5], 0xD4);
	assert_int_equal(got[6], 0x61);
	assert_int_equal(got[7], 0xE5);

	/* And the page ops write single bytes of the chip configuration. */
	b->page.ops->write(b->page.ctx, 0x1D, 1, 0x44);
	assert_int_equal(b->page.ops->read(b->page.ctx, 0x1D, 1), 0x44);
	file_read(f->regs_path, 0x1C, got, 4);
	assert_memory_equal(got, ((uint8_t[]){ 0xA1, 0x44, got[2], 0xC3 }), 4);

	host_close(&h);
	kcs_backend_close(b);
}

/* Chip start-up configuration lands in the file, where the host can check it. */
static void test_page_configuration(void **state)
{
	struct fixture *f = *state;
	struct kcs_backend *b = open_ok(f, "ast2600");
	struct kcs_channel_config cfg = { .channel = 3, .set_data_addr = true, .data_addr = 0xCA2 };
	uint8_t hicr0, hicr2, hicr4, ladr3h, ladr3l;
	char err[128];

	assert_int_equal(kcs_chip_configure(b->chip, &b->page, &cfg, err, sizeof(err)), 0);
	file_read(f->regs_path, 0x000, &hicr0, 1);
	file_read(f->regs_path, 0x008, &hicr2, 1);
	file_read(f->regs_path, 0x010, &hicr4, 1);
	file_read(f->regs_path, 0x014, &ladr3h, 1);
	file_read(f->regs_path, 0x018, &ladr3l, 1);
	assert_int_equal(hicr0 & 0x80, 0x80);   /* LPC3E */
	assert_int_equal(hicr2 & 0x08, 0x08);   /* IBF interrupt, channel 3 */
	assert_int_equal(hicr4 & 0x04, 0x04);   /* KCSENBL */
	assert_int_equal(ladr3h, 0x0C);
	assert_int_equal(ladr3l, 0xA2);

	assert_int_equal(kcs_chip_set_ibf_irq(b->chip, &b->page, 3, false), 0);
	file_read(f->regs_path, 0x008, &hicr2, 1);
	assert_int_equal(hicr2 & 0x08, 0);
	kcs_backend_close(b);
}

/* ---- Two threads on one STR word ---- */

struct race {
	struct kcs_regs regs;
	struct host *host;
	pthread_barrier_t start;
	/* Counts of own bits found changed by the other side. */
	unsigned long bmc_lost, host_lost, neighbour_lost;
	unsigned long bmc_checks, host_checks;
	bool neighbour;             /* NPCM: host also writes the byte at 0x1C */
};

static const uint8_t bmc_bits = KCS_STR_STATE_MASK | KCS_STR_SMS_ATN;
static const uint8_t host_bits = KCS_STR_IBF | KCS_STR_CD | KCS_STR_OBF;

static uint8_t bmc_value(unsigned long i)
{
	return kcs_str_state_bits((enum kcs_state)(i & 3)) | ((i >> 2) & 1 ? KCS_STR_SMS_ATN : 0);
}

static uint8_t host_value(unsigned long i)
{
	return (i & 1 ? KCS_STR_IBF : 0) | (i & 2 ? KCS_STR_CD : 0) | (i & 4 ? KCS_STR_OBF : 0);
}

static void *bmc_thread(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(&r->start);
	for (unsigned long i = 0; i < STRESS_ITERATIONS; i++) {
		uint8_t v = bmc_value(i);

		r->regs.ops->update_str(r->regs.ctx, bmc_bits, v);
		if ((r->regs.ops->read_str(r->regs.ctx) & bmc_bits) != v)
			r->bmc_lost++;
		r->bmc_checks++;
	}
	return NULL;
}

static void *host_thread(void *arg)
{
	struct race *r = arg;
	uint8_t *neighbour = r->host->regs.page + 0x1C;

	pthread_barrier_wait(&r->start);
	for (unsigned long i = 0; i < STRESS_ITERATIONS; i++) {
		uint8_t v = host_value(i);

		sim_page_update_str(&r->host->regs, host_bits, v);
		if ((host_status(r->host) & host_bits) != v)
			r->host_lost++;
		r->host_checks++;
		if (r->neighbour) {
			__atomic_store_n(neighbour, (uint8_t)i, __ATOMIC_RELAXED);
			if (__atomic_load_n(neighbour, __ATOMIC_RELAXED) != (uint8_t)i)
				r->neighbour_lost++;
		}
	}
	return NULL;
}

static void race(const struct fixture *f, const char *chip_name, unsigned int ch, bool neighbour)
{
	struct kcs_backend *b = open_ok(f, chip_name);
	struct race r = { .regs = channel(b, ch), .neighbour = neighbour };
	pthread_t bmc, host;
	struct host h;

	host_open(&h, f, chip_name, ch);
	r.host = &h;
	assert_int_equal(pthread_barrier_init(&r.start, NULL, 2), 0);
	assert_int_equal(pthread_create(&bmc, NULL, bmc_thread, &r), 0);
	assert_int_equal(pthread_create(&host, NULL, host_thread, &r), 0);
	assert_int_equal(pthread_join(bmc, NULL), 0);
	assert_int_equal(pthread_join(host, NULL), 0);
	pthread_barrier_destroy(&r.start);

	assert_int_equal(r.bmc_checks, STRESS_ITERATIONS);
	assert_int_equal(r.host_checks, STRESS_ITERATIONS);
	assert_int_equal(r.bmc_lost, 0);
	assert_int_equal(r.host_lost, 0);
	assert_int_equal(r.neighbour_lost, 0);
	/* The last value of each side survives the other's last update. */
	assert_int_equal(host_status(&h),
			 bmc_value(STRESS_ITERATIONS - 1) | host_value(STRESS_ITERATIONS - 1));
	if (neighbour)
		assert_int_equal(h.regs.page[0x1C], (uint8_t)(STRESS_ITERATIONS - 1));

	host_close(&h);
	kcs_backend_close(b);
}

static void test_race_ast2600(void **state)
{
	race(*state, "ast2600", 3, false);
}

static void test_race_npcm7xx_unaligned(void **state)
{
	race(*state, "npcm7xx", 2, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_creates_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuses_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_size_regs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_not_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_not_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_daemon_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_created_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_by_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_under_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_first_of_two, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_after_second_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_ast2600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_npcm7xx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reenable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_less, setup, teardown),
		cmocka_unit_test_setup_teardown(test_npcm_byte_lanes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_configuration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_ast2600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_race_npcm7xx_unaligned, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
