# ipfix-dtls toolkit. See README.md; 'make help' lists the targets.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc

# One build tree per compiler and flavour, so gcc, clang and sanitizer
# builds can sit side by side.
CCNAME    := $(notdir $(firstword $(CC)))
BUILD     ?= build/$(CCNAME)$(if $(SANITIZE),-san)

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Wvla
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DIPFIX_VERSION_STRING='"$(VERSION)"' \
            $(WARN) $(CFLAGS) -Ilibipfix
ifdef SANITIZE
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif
ifdef WERROR
ALL_CFLAGS += -Werror
endif
LIBS      = -lssl -lcrypto -lpcap -lz -lusrsctp -lpthread -lm

LIB_SRCS  := $(wildcard libipfix/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB_A     := $(BUILD)/libipfix.a
TOOLS     := $(basename $(notdir $(wildcard cmd/*.c)))
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS   := $(wildcard libipfix/*.h)
# Headers private to a module group are not installed.
PUB_HDRS  := $(filter-out %_int.h libipfix/capture_ipfix.h, $(HEADERS))

.PHONY: all check unit demo deps install uninstall fuzz bench clean help \
        ie-table check-ie-table interop-table

all: $(LIB_A) $(TOOL_BINS)

help:
	@echo "targets: all check demo deps install uninstall fuzz bench clean"
	@echo "         interop-table (README.md table from the interop tests)"
	@echo "vars:    CC=clang SANITIZE=1 WERROR=1 PREFIX=... DESTDIR=..."
	@echo "         FUZZ_TIME=seconds (fuzz), BENCH=name (bench)"

$(BUILD)/libipfix/%.o: libipfix/%.c $(HEADERS) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: cmd/%.c $(LIB_A) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testhelp.h $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_A) $(LDFLAGS) $(LIBS)

# The IE table is generated from the IANA registry and committed;
# check-ie-table (part of 'make check') fails when it is stale.
ie-table:
	/usr/bin/env python3 tools/gen_ie.py data/iana/ipfix.xml > libipfix/ie_table.c

deps:
	@sh tools/deps.sh

# README.md's interoperability table is rendered from the rows the interop
# tests write; tests/interop-gnutls.bats fails when README.md differs.
interop-table: all
	@rm -f $(BUILD)/interop-rows
	-@INTEROP_RESULTS=$(abspath $(BUILD)/interop-rows) BUILD=$(BUILD) \
	    IPFIX_BIN=$(abspath $(BUILD)/bin) bats tests/interop-gnutls.bats
	sh tools/interop-table.sh < $(BUILD)/interop-rows > $(BUILD)/interop-table
	awk -v t=$(BUILD)/interop-table '/^<!-- interop-table end/ { skip = 0 } \
	    !skip { print } /^<!-- interop-table begin/ { while ((getline l < t) > 0) \
	    print l; skip = 1 }' README.md > $(BUILD)/README.new
	mv $(BUILD)/README.new README.md

unit: $(UNIT_BINS)

check: deps all $(UNIT_BINS)
	@BUILD=$(BUILD) IPFIX_BIN=$(abspath $(BUILD)/bin) sh tests/run.sh

demo: deps all
	@BUILD=$(BUILD) IPFIX_BIN=$(abspath $(BUILD)/bin) sh examples/demo.sh

fuzz:
	@BUILD=build/fuzz FUZZ_TIME=$(or $(FUZZ_TIME),30) sh tests/fuzz/run.sh

bench: all
	@BUILD=$(BUILD) IPFIX_BIN=$(abspath $(BUILD)/bin) sh tests/bench/run.sh $(BENCH)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/ipfix $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(PUB_HDRS) $(DESTDIR)$(PREFIX)/include/ipfix/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    libipfix/libipfix.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libipfix.pc

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/%) \
	    $(DESTDIR)$(PREFIX)/lib/libipfix.a \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/libipfix.pc \
	    $(wildcard man/*.1:man/%=$(DESTDIR)$(PREFIX)/share/man/man1/%)
	rm -rf $(DESTDIR)$(PREFIX)/include/ipfix

clean:
	rm -rf build
