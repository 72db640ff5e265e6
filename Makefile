# vigil - top-level build.  `make` builds libvigil (static and shared), the
# server library libvigil-server.a (src/http: `vigil serve`, the only part
# that needs libmicrohttpd) and the `vigil` CLI into build/; `make test` installs missing Debian packages,
# builds, and runs the whole suite twice (plain and ASan+UBSan).
# See README.md for every target.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
WERROR   ?= 1
SAN      ?= 0
# the version is written once, in include/vigil/export.h
VERSION  := $(shell sed -n 's/^\#define VIGIL_VERSION "\(.*\)"/\1/p' include/vigil/export.h)

PKGS     := libsodium libjpeg libpng libwebp libwebpdemux libgif libcrypto jansson stb sqlite3 libcurl libidn2 libavformat libavcodec libavutil libswscale libutf8proc libpq
SRV_PKGS := libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(SRV_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SRV_LIBS   := $(shell pkg-config --libs $(SRV_PKGS) 2>/dev/null)

OPT      ?= -O2
# -ffp-contract=off: PDQ must round exactly like the reference (no FMA fusing).
# -fvisibility=hidden: libvigil.so exports only what include/vigil/ marks VIGIL_API.
CFLAGS_BASE := -std=c17 -D_POSIX_C_SOURCE=200809L $(OPT) -g -fPIC -ffp-contract=off -fvisibility=hidden \
               -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
               -DVIGIL_HAVE_WEBPDEMUX -Iinclude -Isrc $(PKG_CFLAGS)
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
ifeq ($(SAN),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=address,undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(CFLAGS)
# CLD2 (language identification) has no .pc file.  Its full tables
# (libcld2_full: ~160 languages, Pashto and Somali among them) replace the
# small default ones by symbol interposition: linked first, and kept.
CLD2_LIBS  := -Wl,--push-state,--no-as-needed -lcld2_full -Wl,--pop-state -lcld2 -lstdc++
ALL_LDLIBS := $(PKG_LIBS) $(CLD2_LIBS) -lm $(LDFLAGS_SAN) $(LDLIBS)
ALL_CXXFLAGS := -std=c++17 $(OPT) -g -fPIC -fvisibility=hidden -Wall -Wextra -Iinclude -Isrc \
                $(filter -Werror -fsanitize% -fno-sanitize% -fno-omit-frame-pointer,$(CFLAGS_BASE)) $(CXXFLAGS)

LIB_SRC  := $(filter-out src/http/%,$(wildcard src/*/*.c))
SRV_SRC  := $(wildcard src/http/*.c)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  += $(patsubst %.cc,$(BUILD)/%.o,$(wildcard src/*/*.cc))
SRV_OBJ  := $(SRV_SRC:%.c=$(BUILD)/%.o)
# the web app (web/, bundled by `make web` into build/web), embedded in the
# server by a generated file; an empty table when it was not built
WEB_DIST := build/web
WEB_FILES := $(wildcard $(WEB_DIST)/*)
SRV_OBJ  += $(BUILD)/gen/web_assets.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
DEPS     := $(LIB_OBJ:.o=.d) $(SRV_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
SRV_LIB  := $(BUILD)/libvigil-server.a

.PHONY: docs web bench-ui all lib cli tests test test-all-builds test-plain test-asan run demo deps bench bench-hash bench-index fuzz install uninstall clean lint bench-text bench-video bench-tmk bench-http bench-scale bench-intake bench-report soak

all: lib cli

lib: $(BUILD)/libvigil.a $(BUILD)/libvigil.so $(SRV_LIB)
cli: $(BUILD)/vigil
tests: $(BUILD)/vigil-tests $(BUILD)/vigil $(BUILD)/gen-samples $(BUILD)/gen-video $(BUILD)/vigil-soak $(BUILD)/gen-docs

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/embed-web: tools/embed_web.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_POSIX_C_SOURCE=200809L -O1 -Wall -Wextra -o $@ $<

$(BUILD)/gen/web_assets.c: $(BUILD)/embed-web $(WEB_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/embed-web $@ $(WEB_DIST)

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# `make web`: bundle web/ into build/web with esbuild (npm ci the first time;
# needs Node: `make deps` installs Debian's nodejs and npm)
web:
	@sh scripts/build-web.sh $(WEB_DIST)

# the PDQ kernels want the vectoriser
$(BUILD)/src/hash/pdq.o: ALL_CFLAGS += -O3

$(BUILD)/libvigil.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libvigil.so: $(LIB_OBJ) src/libvigil.map
	$(CC) -shared -Wl,-soname,libvigil.so.0 -Wl,--version-script=src/libvigil.map -o $@ $(LIB_OBJ) $(ALL_LDLIBS)

# the server: its own archive over libvigil (libvigil never links libmicrohttpd)
$(SRV_LIB): $(SRV_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vigil: $(CLI_OBJ) $(SRV_LIB) $(BUILD)/libvigil.a
	$(CC) -o $@ $(CLI_OBJ) $(SRV_LIB) $(BUILD)/libvigil.a $(SRV_LIBS) $(ALL_LDLIBS)

$(BUILD)/vigil-tests: $(TEST_OBJ) $(SRV_LIB) $(BUILD)/libvigil.a $(BUILD)/libvigil.so
	$(CC) -o $@ $(TEST_OBJ) $(SRV_LIB) $(BUILD)/libvigil.a $(SRV_LIBS) $(ALL_LDLIBS)

# gen-docs: the generated parts of docs/ (`make docs`; tests/cli_arch.sh checks them)
$(BUILD)/gen-docs: $(BUILD)/tools/gen_docs.o $(SRV_LIB) $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(SRV_LIBS) $(ALL_LDLIBS)

docs: $(BUILD)/gen-docs $(BUILD)/vigil
	$(BUILD)/gen-docs openapi docs/openapi.yaml
	sh scripts/gen-man.sh $(BUILD)/vigil > docs/vigil.1

$(BUILD)/tools/gen_samples.o: ALL_CFLAGS += -Itests
$(BUILD)/vigil-soak: $(BUILD)/tools/soak.o $(SRV_LIB) $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(SRV_LIBS) $(ALL_LDLIBS) -lpthread

# `make soak`: the API under a mixed read/write load for SOAK_SECONDS (default 180)
SOAK_SECONDS ?= 180
soak: deps
	@$(MAKE) --no-print-directory $(BUILD)/vigil-soak
	@$(BUILD)/vigil-soak $(BUILD)/soak.db $(SOAK_SECONDS) 32

$(BUILD)/gen-samples: $(BUILD)/tools/gen_samples.o $(BUILD)/tests/imggen.o
	$(CC) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/tools/gen_video.o: ALL_CFLAGS += -Itests
$(BUILD)/gen-video: $(BUILD)/tools/gen_video.o $(BUILD)/tests/vidgen.o $(BUILD)/tests/imggen.o
	$(CC) -o $@ $^ $(ALL_LDLIBS)

# ---- dependencies (Debian packages), installed only when missing ----------
deps:
	@sh scripts/deps.sh

# ---- tests ----------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory web
	@$(MAKE) --no-print-directory test-all-builds

# Both builds first, then one run over both that ends with the grand total.
test-all-builds:
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 tests
	@sh tests/run.sh $(BUILD) build/asan

test-plain: tests
	@sh tests/run.sh $(BUILD)

test-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 tests
	@sh tests/run.sh build/asan

# ---- the main job: a demo on generated sample images ----------------------
run: deps
	@$(MAKE) --no-print-directory web
	@$(MAKE) --no-print-directory all tests
	@sh scripts/demo.sh $(BUILD)
	@sh scripts/serve-demo.sh $(BUILD)

demo: run

# ---- benchmarks and fuzzing ----------------------------------------------
# `make bench` builds what ships (same flags) and runs every benchmark;
# `make bench-hash` / `make bench-index` run one.  The index benchmark links
# Debian's Faiss as a peer when libfaiss-dev is installed (bench only).
bench: bench-hash bench-index bench-text bench-video bench-tmk bench-http bench-intake bench-report

# PDQ_REFERENCE=PATH: Meta's pdq-photo-hasher, built by you outside this
# repository; bench-hash then runs it on the same files in the same run.
bench-hash: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-hash
	@$(BUILD)/bench-hash $(if $(PDQ_REFERENCE),--reference $(PDQ_REFERENCE)) $(BENCH_ARGS)

bench-index: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-index
	@$(BUILD)/bench-index $(BENCH_ARGS)

# text matching: 100k texts, LSH index vs brute-force MinHash (docs/matching.md)
# bench-video: video matching (1,000 bank videos) vs brute force, and video
# hashing vs decoding alone (docs/matching.md#video)
bench-video: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-video
	@$(BUILD)/bench-video $(BENCH_ARGS)

$(BUILD)/bench-video: $(BUILD)/bench/bench_video.o $(BUILD)/tests/vidgen.o $(BUILD)/tests/imggen.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS)

# bench-tmk: TMK+PDQF matching over a 10,000-video bank of synthetic
# signatures: store size, load, the two-level query vs brute force
# (docs/matching.md#tmkpdqf-vigil-hash---tmk-vigil-tmk-score).  The store
# file (about 2.8 GB) goes to $$TMPDIR (/tmp) and is removed after.
bench-tmk: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-tmk
	@$(BUILD)/bench-tmk $(BENCH_ARGS)

$(BUILD)/bench-tmk: $(BUILD)/bench/bench_tmk.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS) -lpthread

# bench-http: the HTTP API under wrk against nginx serving a static file and
# against the matcher alone in process (bench/bench_http.sh; needs wrk and
# nginx, installed when missing).  BENCH_HTTP_SIZES="1000000 10000000".
bench-http: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench-matcher
	@sh bench/bench_http.sh $(BUILD)

$(BUILD)/bench-matcher: $(BUILD)/bench/bench_matcher.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS) -lpthread

# bench-scale: bank changes reaching the matcher (change to matchable, against the
# full reload of before), start to first match (from an index snapshot, against
# loading the banks), a 1M-row import reaching matching (bench/bench_scale.sh);
# BENCH_ARGS="--sizes 1000000,10000000" adds 10M; --db URL adds the
# PostgreSQL instance rows (--no-instances: not them), --sizes-on-db puts the
# size rows' stores on that database too
bench-scale: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench-matcher $(BUILD)/bench-scale
	@sh bench/bench_scale.sh $(BUILD) $(BENCH_ARGS)

$(BUILD)/bench-scale: $(BUILD)/bench/bench_scale.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS) -lpthread

# bench-ui: the web app on a 100k-report operation in headless Chromium
# (dashboard, queue pages, report API; bench/bench_ui.sh; not a test)
bench-ui: deps
	@$(MAKE) --no-print-directory web
	@$(MAKE) --no-print-directory all
	@sh bench/bench_ui.sh $(BUILD)

# bench-intake: item import speed with content-cluster links (texts, video
# hashes) against rows with an MD5 only, in the same run
bench-intake: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-intake
	@$(BUILD)/bench-intake $(BENCH_ARGS)

$(BUILD)/bench-intake: $(BUILD)/bench/bench_intake.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS)

# bench-report: the operation report right after a change (running totals)
# against counting the same figures from every row, in the same run; on
# the bench-ui store when `make bench-ui` built it, else on a new demo store
bench-report: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-report
	@if [ -z "$(BENCH_ARGS)" ] && [ -f $(BUILD)/bench-ui-100000.db ]; then \
	    $(BUILD)/bench-report --db $(BUILD)/bench-ui-100000.db; \
	else $(BUILD)/bench-report $(BENCH_ARGS); fi

$(BUILD)/bench-report: $(BUILD)/bench/bench_report.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS)

bench-text: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench-text
	@$(BUILD)/bench-text $(BENCH_ARGS)

$(BUILD)/bench-text: $(BUILD)/bench/bench_text.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS)

HAVE_FAISS := $(wildcard /usr/include/faiss/IndexBinaryHash.h)
$(BUILD)/bench/peer_brute.o: bench/peer_brute.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O3 -march=native -c $< -o $@
ifneq ($(HAVE_FAISS),)
$(BUILD)/bench/peer_faiss.o: bench/peer_faiss.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -c $< -o $@
$(BUILD)/bench-index: $(BUILD)/bench/bench_index.o $(BUILD)/bench/peer_brute.o $(BUILD)/bench/peer_faiss.o $(BUILD)/tests/imggen.o $(BUILD)/libvigil.a
	$(CXX) -o $@ $^ $(ALL_LDLIBS) -lfaiss -lblas -llapack -fopenmp -lpthread
else
$(BUILD)/bench/bench_index.o: ALL_CFLAGS += -DVIGIL_BENCH_NO_FAISS
$(BUILD)/bench-index: $(BUILD)/bench/bench_index.o $(BUILD)/bench/peer_brute.o $(BUILD)/tests/imggen.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS) -lpthread
endif

$(BUILD)/bench/%.o: ALL_CFLAGS += -Itests
$(BUILD)/bench-hash: $(BUILD)/bench/bench_hash.o $(BUILD)/tests/imggen.o $(BUILD)/libvigil.a
	$(CC) -o $@ $^ $(ALL_LDLIBS) -lpthread

FUZZ_SECONDS ?= 60
fuzz: deps
	@sh fuzz/run.sh $(FUZZ_SECONDS)

# ---- install --------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/vigil
	install -m 755 $(BUILD)/vigil $(DESTDIR)$(PREFIX)/bin/vigil
	install -m 644 $(BUILD)/libvigil.a $(DESTDIR)$(PREFIX)/lib/libvigil.a
	install -m 644 $(SRV_LIB) $(DESTDIR)$(PREFIX)/lib/libvigil-server.a
	install -m 755 $(BUILD)/libvigil.so $(DESTDIR)$(PREFIX)/lib/libvigil.so.$(VERSION)
	ln -sf libvigil.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libvigil.so.0
	ln -sf libvigil.so.0 $(DESTDIR)$(PREFIX)/lib/libvigil.so
	install -m 644 include/vigil/*.h $(DESTDIR)$(PREFIX)/include/vigil/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/vigil.1 $(DESTDIR)$(PREFIX)/share/man/man1/vigil.1
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@REQUIRES@|$(PKGS)|g' \
	    vigil.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/vigil.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vigil $(DESTDIR)$(PREFIX)/lib/libvigil.* \
	      $(DESTDIR)$(PREFIX)/lib/libvigil-server.a $(DESTDIR)$(PREFIX)/share/man/man1/vigil.1 \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/vigil.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/vigil

TIDY_CHECKS := -*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,\
  -bugprone-reserved-identifier,-bugprone-narrowing-conversions,\
  -bugprone-implicit-widening-of-multiplication-result,\
  -clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,\
  -clang-analyzer-valist.Uninitialized
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --suppress=missingIncludeSystem -DVIGIL_HAVE_WEBPDEMUX -Iinclude -Isrc src cli tools
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(LIB_SRC) $(SRV_SRC) $(CLI_SRC) tools/gen_docs.c \
	    -- $(CFLAGS_BASE)

clean:
	rm -rf build

-include $(DEPS)
