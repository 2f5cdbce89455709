# ipcscope - build, test, demo. Out of tree into $(BUILD); quiet unless V=1.
#   make            build/ipcscope
#   make check      install missing packages, build, unit + live tests, then again under ASan/UBSan
#   make demo       record the bundled workload and print its report
#   make bench      performance table -> docs/performance.md (tests/bench/)
#   make SAN=1 BUILD=build/asan ...   sanitizer build
#   make fuzz       every libFuzzer harness for 10 minutes (make check runs them 25 s each)
#   make soak       an hour of steady traffic: the collector's memory must stay flat

BUILD   ?= build
SAN     ?= 0
V       ?= 0
PREFIX  ?= /usr/local
DESTDIR ?=

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
	   -DIPCS_VERSION='"$(VERSION)"' -I$(BUILD) -Ibpf -Iuser -Iviewer
LDLIBS  += -lbpf -ldw -lelf -lz -ldeflate -lncursesw
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I$(BUILD) -Ibpf

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL       := $(BUILD)/ipcscope.skel.h
LIB_SRCS   := $(shell find user viewer -name '*.c' ! -path user/main.c | sort)
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ   := $(BUILD)/obj/user/main.o
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
WL_SRCS    := $(wildcard tests/workloads/*.c)
WL_BINS    := $(patsubst tests/workloads/%.c,$(BUILD)/tests/workloads/%,$(WL_SRCS))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all check deps unit live asan demo bench bench-build clean install uninstall tests fuzz fuzz-short soak abi-check arch-check
all: $(BUILD)/ipcscope

$(BUILD)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

# Several .bpf.c files link into one object, one skeleton.
$(BUILD)/ipcscope.bpf.o: $(BPF_OBJS)
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(SKEL): $(BUILD)/ipcscope.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ipcscope_bpf > $@.tmp && mv $@.tmp $@

# Every user object may include the skeleton: make sure it exists first.
$(BUILD)/obj/%.o: %.c | $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/ipcscope: $(MAIN_OBJ) $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests/workloads/%: tests/workloads/%.c tests/workloads/wl.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< -lpthread -lrt -o $@

tests: $(BUILD)/ipcscope $(UNIT_BINS) $(WL_BINS)

deps:
	$(Q)bash tests/setup/install-deps.sh

unit: $(UNIT_BINS)
	$(Q)bash tests/run-unit.sh $(BUILD)

live: $(BUILD)/ipcscope $(WL_BINS)
	$(Q)bash tests/live/run.sh $(BUILD)

abi-check:
	$(Q)bash tests/abi-check.sh

# docs/architecture.md names every file under bpf/ user/ viewer/ tests/, and only those.
arch-check:
	$(Q)bash tests/arch-check.sh

# libFuzzer harnesses (clang), one per parser, each linked with the sources it
# exercises. `make check` runs each FUZZ_TIME seconds; `make fuzz` runs longer.
FUZZ_TIME ?= 25
FUZZ_SRCS_fuzz_recfile := user/record/recfile.c user/record/recfile_read.c user/log.c
FUZZ_SRCS_fuzz_decode  := user/collect/decode.c $(sort $(wildcard user/model/*.c user/util/*.c)) \
			  viewer/plain.c user/log.c
FUZZ_SRCS_fuzz_opts    := user/opts.c user/evfilter.c user/collect/decode.c
FUZZ_SRCS_fuzz_procfs  := user/collect/procfs_parse.c
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
.SECONDEXPANSION:
$(BUILD)/fuzz/%: tests/fuzz/%.c $$(FUZZ_SRCS_$$*)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ibpf -Iuser -Iviewer $^ -lz -ldeflate -o $@

fuzz-short: $(FUZZ_BINS) $(BUILD)/tests/unit/test_recfile $(BUILD)/tests/unit/test_decode
	$(Q)bash tests/run-fuzz.sh $(BUILD) $(FUZZ_TIME)

fuzz:
	$(Q)$(MAKE) --no-print-directory fuzz-short FUZZ_TIME=600

# One hour of steady traffic; the collector's memory must stay flat (not in CI).
SOAK_SECS ?= 3600
soak: $(BUILD)/ipcscope $(WL_BINS)
	$(Q)bash tests/soak.sh $(BUILD) $(SOAK_SECS)

# The whole suite, as CI runs it: plain build, then ASan+UBSan build.
check: deps
	$(Q)$(MAKE) --no-print-directory abi-check arch-check
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)$(MAKE) --no-print-directory unit live
	$(Q)$(MAKE) --no-print-directory SAN=1 BUILD=$(BUILD)/asan tests unit live
	$(Q)$(MAKE) --no-print-directory fuzz-short
	@echo "make check: all suites passed"

demo: $(BUILD)/ipcscope
	$(Q)$(BUILD)/ipcscope demo

include tests/bench/bench.mk

install: $(BUILD)/ipcscope
	install -D -m 0755 $(BUILD)/ipcscope $(DESTDIR)$(PREFIX)/sbin/ipcscope
	install -D -m 0644 docs/ipcscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/ipcscope.8
	install -D -m 0644 docs/completion/ipcscope.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ipcscope

# what install put there, and nothing else
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/ipcscope $(DESTDIR)$(PREFIX)/share/man/man8/ipcscope.8 \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ipcscope

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
