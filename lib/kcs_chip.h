/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Chip descriptions: where each KCS channel's registers sit in the
 * controller's page, and the start-up/shutdown configuration of a channel
 * (enable, LPC I/O address, IBF interrupt, host SerIRQ).
 *
 * Functions return 0 or a negative errno. Validation failures also write a
 * sentence naming the problem into the caller's buffer.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kcs_page.h"

/* No supported chip has more KCS channels than this (kcs_chip.c checks). */
#define KCS_CHIP_MAX_CHANNELS 4u

enum kcs_chip_id {
	KCS_CHIP_AST2400,
	KCS_CHIP_AST2500,
	KCS_CHIP_AST2600,
	KCS_CHIP_NPCM7XX,
};

struct kcs_chip {
	enum kcs_chip_id id;
	const char *name;          /* "ast2400", "ast2500", "ast2600", "npcm7xx" */
	unsigned int reg_width;    /* bytes per register access: 4 or 1 */
	unsigned int nr_channels;  /* channels are numbered 1..nr_channels */
	bool shared_irq;           /* all channels raise one interrupt line */
	uint32_t page_span;        /* end of the highest register touched */
};

/* Register offsets of one channel inside the page. */
struct kcs_chip_channel {
	uint32_t idr;
	uint32_t odr;
	uint32_t str;
};

enum kcs_serirq_type {
	KCS_SERIRQ_DEFAULT = 0,    /* none given: level low where the channel has a type */
	KCS_SERIRQ_LEVEL_LOW,
	KCS_SERIRQ_LEVEL_HIGH,
	KCS_SERIRQ_EDGE_RISING,
};

/* What the command line asks of one channel. Unset fields are left alone. */
struct kcs_channel_config {
	unsigned int channel;      /* 1-based */
	bool set_data_addr;
	uint32_t data_addr;        /* LPC I/O address of the data port */
	bool set_status_addr;
	uint32_t status_addr;      /* LPC I/O address of the status port */
	unsigned int serirq;       /* host SerIRQ number, 0 = none */
	enum kcs_serirq_type serirq_type;
	bool polled;               /* served by polling STR: IBF interrupt left off */
};

/* NULL when @name is not a supported chip. */
const struct kcs_chip *kcs_chip_find(const char *name);
/* A comma-separated list of supported chip names, for messages. */
const char *kcs_chip_names(void);

/* -EINVAL (unknown chip) or -ENODEV (no such channel on this chip). */
int kcs_chip_channel(const struct kcs_chip *chip, unsigned int channel,
		     struct kcs_chip_channel *out);

/*
 * Check @cfg against the chip's constraints (channel exists, addresses fit
 * 16 bits, channel 3's status port is data+1, SerIRQ numbers the channel can
 * route...). -EINVAL with @err filled ("channel 3: status address ... ").
 */
int kcs_chip_validate(const struct kcs_chip *chip,
		      const struct kcs_channel_config *cfg,
		      char *err, size_t errlen);

/*
 * Start-up configuration: LPC address (when set), SerIRQ routing (when set),
 * channel enable, IBF interrupt enable (disable when @cfg->polled: on a
 * line shared with other LPC functions an enabled KCS interrupt nobody
 * handles would storm the line their drivers own). Validates first.
 */
int kcs_chip_configure(const struct kcs_chip *chip, const struct kcs_page *page,
		       const struct kcs_channel_config *cfg,
		       char *err, size_t errlen);

/* Enable or mask the channel's IBF interrupt (shutdown masks it). */
int kcs_chip_set_ibf_irq(const struct kcs_chip *chip, const struct kcs_page *page,
			 unsigned int channel, bool enable);

/*
 * Assert the host SerIRQ after an ODR write, when @cfg configures one.
 * No-op otherwise. Called on the per-byte path: keep it cheap.
 */
void kcs_chip_serirq_assert(const struct kcs_chip *chip, const struct kcs_page *page,
			    const struct kcs_channel_config *cfg);
