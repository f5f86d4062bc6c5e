/*
 * stats: what a dump's --stats reports (layer 1, over msg/decode/outbuf):
 * messages, sets by kind, bytes, records per (session, ODID, template),
 * the decoder's per-domain counters (sequence-number loss, C09), problems
 * by severity, and how well the data sets of each stream compress with
 * DEFLATE (zlib), the measure draft-muenz-ipfix-compression proposes.
 */
#ifndef IPFIX_STATS_H
#define IPFIX_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"

struct ipfix_stats;

/* deflate: also measure DEFLATE compressibility (costs CPU). NULL when
 * out of memory. */
struct ipfix_stats *ipfix_stats_new(bool deflate);
void ipfix_stats_free(struct ipfix_stats *st);

/* Start a stream (an input file); name is copied. 0, or -1 (no memory). */
int ipfix_stats_begin(struct ipfix_stats *st, const char *name);
/* Account one message the decoder accepted (call from on_message_end). */
void ipfix_stats_message(struct ipfix_stats *st,
    const struct ipfix_msg_ctx *m);
void ipfix_stats_record(struct ipfix_stats *st, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r);
/* The record just counted came from the exporter named label (a
 * collector's output, origin.h): the report then groups per exporter. */
void ipfix_stats_exporter(struct ipfix_stats *st,
    const struct ipfix_msg_ctx *m, const char *label);
void ipfix_stats_template(struct ipfix_stats *st, enum ipfix_tadd how);
void ipfix_stats_problem(struct ipfix_stats *st,
    const struct ipfix_problem *p);
/* Input bytes the reader skipped or could not use. */
void ipfix_stats_skipped(struct ipfix_stats *st, uint64_t bytes);
/* End the stream: copy the decoder's domain counters (d may be NULL). */
void ipfix_stats_end(struct ipfix_stats *st, const struct ipfix_decoder *d);

/* Totals over every stream so far. */
uint64_t ipfix_stats_records(const struct ipfix_stats *st);
uint64_t ipfix_stats_messages(const struct ipfix_stats *st);
/* Compressed / raw data-set bytes of stream i (0-based), -1 if unknown. */
double ipfix_stats_deflate_ratio(const struct ipfix_stats *st, size_t i);

/* Write the report: text, or one JSON object per stream ("type":"stats").
 * 0, or -1 when writing failed (errno set). */
int ipfix_stats_write(const struct ipfix_stats *st, FILE *out, bool json);

#endif
