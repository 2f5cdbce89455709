# bench.mk - `make bench` (included by the top Makefile): the workload, the
# floor tracer and the driver that writes docs/performance.md.
#   make bench                     full run (~5 min expected on 2 quiet CPUs; 10.5 at load 15)
#   make bench BENCH_ARGS='-r 1 -d 0.5 -m pipe'   a quick look
#   make bench BENCH_ARGS='-m redis,pgbench'      the real servers alone (servers.sh)

BENCH_DIR := $(BUILD)/bench
BENCH_ARGS ?=

$(BENCH_DIR)/ipcbench: tests/bench/ipcbench.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< -lpthread -o $@

$(BENCH_DIR)/floor.bpf.o: tests/bench/floor.bpf.c tests/bench/floor.h $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/bench -c $< -o $@

$(BENCH_DIR)/floor.skel.h: $(BENCH_DIR)/floor.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@.tmp && mv $@.tmp $@

$(BENCH_DIR)/floor: tests/bench/floor.c tests/bench/floor.h $(BENCH_DIR)/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I$(BENCH_DIR) -Itests/bench \
		$< -lbpf -lelf -lz -o $@

bench-build: $(BUILD)/ipcscope $(BENCH_DIR)/ipcbench $(BENCH_DIR)/floor

bench: bench-build
	$(Q)bash tests/setup/install-deps.sh strace linux-perf bpftrace \
		redis-server redis-tools postgresql-15	# the peers compared with, the real servers
	$(Q)bash tests/bench/run.sh $(BUILD) $(BENCH_ARGS)
