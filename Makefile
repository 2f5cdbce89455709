# ipcscope - build, test, demo. Out of tree into $(BUILD); quiet unless V=1.
#   make            build/ipcscope
#   make check      install missing packages, build, unit + live tests, then again under ASan/UBSan,
#                   fuzzers; ends with one line: passed or not, FLAKY reruns, what did not run, time
#   make demo       install missing packages (as make check), build, record the bundled workload
#                   and print its report
#   make bench      performance table -> docs/performance.md (tests/bench/)
#   make SAN=1 BUILD=build/asan ...   sanitizer build
#   make fuzz       every libFuzzer harness for 10 minutes (make check runs them 12 s each)
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
LDLIBS  += -lbpf -ldw -lelf -lz -ldeflate -lncursesw -lmicrohttpd -lpthread
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
LIB        := $(BUILD)/libipcscope.a
MAIN_OBJ   := $(BUILD)/obj/user/main.o
# the sources that include the generated skeleton: only these wait for it
SKEL_SRCS  := $(shell grep -l 'ipcscope\.skel\.h' $(LIB_SRCS) user/main.c)
SKEL_USERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SKEL_SRCS))
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
WL_SRCS    := $(wildcard tests/workloads/*.c)
WL_BINS    := $(patsubst tests/workloads/%.c,$(BUILD)/tests/workloads/%,$(WL_SRCS))
LIVE_BINS  := $(BUILD)/tests/live/live_probes
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

$(BUILD)/obj/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The files that include the skeleton need it before their first compile
# (afterwards their .d files name it); no other object waits for bpftool.
$(SKEL_USERS): | $(SKEL)

$(BUILD)/ipcscope: $(MAIN_OBJ) $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Tests link the objects they use from one archive, not every object.
$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -DIPCS_SRCDIR='"$(CURDIR)"' $(LDFLAGS) $< $(LIB) $(LDLIBS) -lcmocka -o $@

# cmocka programs of the live suite (they load the real probes), run by tests/live/test_*.sh
$(BUILD)/tests/live/%: tests/live/%.c tests/live/live_harness.h $(LIB)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/live $(LDFLAGS) $< $(LIB) $(LDLIBS) -lcmocka -o $@

# io_uring workloads link liburing (liburing-dev)
$(BUILD)/tests/workloads/uring_%: WL_LIBS := -luring
$(BUILD)/tests/workloads/%: tests/workloads/%.c tests/workloads/wl.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< $(WL_LIBS) -lpthread -lrt -o $@

tests: $(BUILD)/ipcscope $(UNIT_BINS) $(WL_BINS) $(LIVE_BINS)

deps:
	$(Q)bash tests/setup/install-deps.sh

unit: $(UNIT_BINS)
	$(Q)bash tests/run-unit.sh $(BUILD)

live: $(BUILD)/ipcscope $(WL_BINS) $(LIVE_BINS)
	$(Q)bash tests/live/run.sh $(BUILD)

abi-check:
	$(Q)bash tests/abi-check.sh

# docs/architecture.md names every file under bpf/ user/ viewer/ tests/, and only those.
arch-check:
	$(Q)bash tests/arch-check.sh

# libFuzzer harnesses (clang), one per parser, each linked with the archive of
# the sources built for fuzzing (coverage + ASan + UBSan): it takes the
# objects it uses. Left out, as no harness reaches them: the files that
# include the skeleton (libbpf), and unixdiag.c (glibc's NLMSG_OK trips
# clang's -Wsign-compare). `make check` runs each FUZZ_TIME seconds; `make
# fuzz` runs longer.
FUZZ_TIME ?= 12
FUZZ_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -std=gnu11 -D_GNU_SOURCE -DIPCS_VERSION='"$(VERSION)"' -Wall -Wextra -Werror \
	       -Ibpf -Iuser -Iviewer
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,\
	       $(filter-out $(SKEL_SRCS) user/deadlock/unixdiag.c,$(LIB_SRCS)))
FUZZ_LIB  := $(BUILD)/fuzz/libipcscope.a
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

$(BUILD)/fuzz/obj/%.o: %.c
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) -lz -ldeflate -o $@

fuzz-short: $(FUZZ_BINS) $(BUILD)/tests/unit/test_recfile $(BUILD)/tests/unit/test_decode
	$(Q)bash tests/run-fuzz.sh $(BUILD) $(FUZZ_TIME)

fuzz:
	$(Q)$(MAKE) --no-print-directory fuzz-short FUZZ_TIME=600

# One hour of steady traffic; the collector's memory must stay flat (not in CI).
SOAK_SECS ?= 3600
soak: $(BUILD)/ipcscope $(WL_BINS)
	$(Q)bash tests/soak.sh $(BUILD) $(SOAK_SECS)

# The whole suite, as CI runs it: packages, plain build, then ASan+UBSan
# build, fuzzers; tests/check.sh prints the last line (FLAKY reruns, tests
# that did not run, the total time).
check:
	$(Q)MAKE="$(MAKE)" bash tests/check.sh $(BUILD)

# On a fresh machine: the packages make check installs, then the build (a
# sub-make, so bpftool is looked up after it was installed).
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(BUILD)/ipcscope demo

include tests/bench/bench.mk

install: $(BUILD)/ipcscope
	install -D -m 0755 $(BUILD)/ipcscope $(DESTDIR)$(PREFIX)/sbin/ipcscope
	install -D -m 0644 docs/ipcscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/ipcscope.8
	install -D -m 0644 docs/completion/ipcscope.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ipcscope
	@# the unit, disabled (nothing enables it); ExecStart names the installed binary
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/local/sbin/ipcscope|$(PREFIX)/sbin/ipcscope|' docs/ipcscope.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/ipcscope.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/ipcscope.service

# what install put there, and nothing else
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/ipcscope $(DESTDIR)$(PREFIX)/share/man/man8/ipcscope.8 \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ipcscope

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
