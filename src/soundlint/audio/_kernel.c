/* The meter's per-sample pass in C: see soundlint/audio/kernel.py for the contract.
 *
 * One pass over each block of interleaved (frames, channels) float32 or float64 samples:
 * non-finite samples are read as 0, per-channel sample peaks, K-weighting (two
 * biquads in float64, the operation order of scipy's sosfilt) with the squares summed per
 * 10 ms hop, and 4x true-peak interpolation in the samples' own precision, in the operation
 * order of soundlint.audio.truepeak. The arithmetic is kept to that order: build with
 * -ffp-contract=off (no fused multiply-add), as setup.py does.
 * The same pass does the content scans: per-channel DC sums, non-finite counts, the first and
 * last frame at or above the silence level, clipped runs and the histogram of sample steps,
 * with the comparisons and step arithmetic of the numpy fallback (kernel_numpy.py).
 * The GIL is released while a block is worked on.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define TAPS 12
#define HISTORY (TAPS - 1)
#define PHASES 4
#define SECTIONS 2
#define HOPS_PER_SECOND 100
/* Windows per true-peak chunk: a chunk is skipped when its largest sample cannot win. */
#define CHUNK 512
/* As kernel_numpy: steps are binned by their float32 pattern >> STEP_BIN_SHIFT; clipped runs
 * count from MIN_CLIP_RUN samples. */
#define STEP_BIN_SHIFT 19
#define STEP_BINS (1 << (31 - STEP_BIN_SHIFT))
#define MIN_CLIP_RUN 3
/* Steps are counted into this many interleaved histograms in blocks of at least so many frames
 * (see count_step_bins). */
#define SUB_HISTOGRAMS 4
#define SUB_HISTOGRAM_MIN_FRAMES 4096

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

typedef struct {
    PyObject_HEAD
    int channels;
    long long rate;
    int loudness;              /* 0: no K-weighting (no sos given) */
    double sos[SECTIONS][6];   /* b0 b1 b2 a0 a1 a2, a0 == 1 */
    double *weights;           /* per channel; 0 leaves a channel out of the loudness */
    double *filter_state;      /* per channel: SECTIONS * 2 */
    double *partial_hop;       /* per channel: energy of the hop not yet complete */
    long long position;        /* frames fed */
    long long hops;            /* hops completed */
    double window_weights[TAPS][PHASES];
    float window_weights_f[TAPS][PHASES];
    double safe_bound;
    int true_peak;             /* 0: no oversampling; peaks() gives the sample peak twice */
    int steps;                 /* 0: no step histogram (scans() gives zero counts) */
    double *history;           /* per channel: the last HISTORY samples */
    double *interpolated;      /* per channel: largest |interpolated sample| */
    double *sample_peak;       /* per channel */
    void *ext;                 /* scratch, kept between blocks: see Block.ext */
    size_t ext_size;
    int busy;
    /* content scans */
    double clip_level;
    double silence_level;
    double *dc_sum;            /* per channel */
    long long nonfinite;
    long long first_sound;     /* absolute frame, -1 before any */
    long long last_sound;
    double *first_frame;       /* per channel */
    double *last_frame;        /* per channel */
    long long *step_counts;    /* per channel: STEP_BINS */
    uint32_t (*sub_histograms)[STEP_BINS]; /* scratch: SUB_HISTOGRAMS of them */
    int *open_sign;            /* per channel: sign of the run going at the last block's end */
    long long *open_start;     /* per channel: its first frame */
    long long *runs;           /* (start, end) pairs found since the last take_runs */
    Py_ssize_t run_count;
    Py_ssize_t run_capacity;
    int runs_failed;           /* the run list could not grow */
} State;

static void
State_dealloc(State *self)
{
    PyMem_Free(self->weights);
    PyMem_Free(self->filter_state);
    PyMem_Free(self->partial_hop);
    PyMem_Free(self->history);
    PyMem_Free(self->interpolated);
    PyMem_Free(self->sample_peak);
    PyMem_Free(self->ext);
    PyMem_Free(self->dc_sum);
    PyMem_Free(self->first_frame);
    PyMem_Free(self->last_frame);
    PyMem_Free(self->step_counts);
    PyMem_Free(self->sub_histograms);
    PyMem_Free(self->open_sign);
    PyMem_Free(self->open_start);
    PyMem_RawFree(self->runs);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Copy a sequence of floats of the given length into out; -1 with an exception on error. */
static int
read_doubles(PyObject *sequence, double *out, Py_ssize_t count, const char *what)
{
    PyObject *fast = PySequence_Fast(sequence, what);
    if (fast == NULL) {
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(fast) != count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd values", what, count);
        Py_DECREF(fast);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        out[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

static int
State_init(State *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"sample_rate",   "weights",   "sos",
                               "window_weights", "safe_bound", "clip_level",
                               "silence_level", "true_peak",  "steps",      NULL};
    long long rate;
    PyObject *weights, *sos, *window_weights;
    double safe_bound, clip_level = 1.0, silence_level = 0.001;
    int true_peak = 1, steps = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "LOOOd|$ddpp", keywords, &rate, &weights, &sos,
                                     &window_weights, &safe_bound, &clip_level, &silence_level,
                                     &true_peak, &steps)) {
        return -1;
    }
    Py_ssize_t channels = PySequence_Size(weights);
    if (channels < 0) {
        return -1;
    }
    if (rate <= 0 || channels < 1 || channels > 4096) {
        PyErr_SetString(PyExc_ValueError, "need a positive rate and 1 to 4096 channels");
        return -1;
    }
    if (self->weights != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a kernel state is initialised once");
        return -1;
    }
    self->channels = (int)channels;
    self->rate = rate;
    self->weights = PyMem_Calloc(channels, sizeof(double));
    self->filter_state = PyMem_Calloc(channels * SECTIONS * 2, sizeof(double));
    self->partial_hop = PyMem_Calloc(channels, sizeof(double));
    self->history = PyMem_Calloc(channels * HISTORY, sizeof(double));
    self->interpolated = PyMem_Calloc(channels, sizeof(double));
    self->sample_peak = PyMem_Calloc(channels, sizeof(double));
    self->dc_sum = PyMem_Calloc(channels, sizeof(double));
    self->first_frame = PyMem_Calloc(channels, sizeof(double));
    self->last_frame = PyMem_Calloc(channels, sizeof(double));
    self->step_counts = PyMem_Calloc((size_t)channels * STEP_BINS, sizeof(long long));
    self->sub_histograms = PyMem_Calloc(SUB_HISTOGRAMS, sizeof(*self->sub_histograms));
    self->open_sign = PyMem_Calloc(channels, sizeof(int));
    self->open_start = PyMem_Calloc(channels, sizeof(long long));
    if (!self->weights || !self->filter_state || !self->partial_hop || !self->history ||
        !self->interpolated || !self->sample_peak || !self->dc_sum || !self->first_frame ||
        !self->last_frame || !self->step_counts || !self->sub_histograms || !self->open_sign ||
        !self->open_start) {
        PyErr_NoMemory();
        return -1;
    }
    if (read_doubles(weights, self->weights, channels, "weights") < 0) {
        return -1;
    }
    self->loudness = sos != Py_None;
    if (self->loudness && read_doubles(sos, &self->sos[0][0], SECTIONS * 6, "sos") < 0) {
        return -1;
    }
    if (read_doubles(window_weights, &self->window_weights[0][0], TAPS * PHASES,
                     "window_weights") < 0) {
        return -1;
    }
    for (int j = 0; j < TAPS; j++) {
        for (int p = 0; p < PHASES; p++) {
            self->window_weights_f[j][p] = (float)self->window_weights[j][p];
        }
    }
    self->safe_bound = safe_bound;
    self->true_peak = true_peak;
    self->steps = steps;
    self->clip_level = clip_level;
    self->silence_level = silence_level;
    self->first_sound = -1;
    self->last_sound = -1;
    return 0;
}

/* ---- true peak ---------------------------------------------------------------------------- */

/* Largest |interpolated sample| of the windows starting at ext[0..count): for each phase p,
 * acc = w[0][p] * x[n]; acc += w[j][p] * x[n + j] for j = 1..11, in the type T. The windows
 * are taken LANES at a time, each lane keeping its own maximum, so that the compiler can
 * vectorise across windows (a plain max-reduction it would not). */
#define LANES 32

#define DEFINE_PHASE_PEAK(NAME, T, ABS)                                                        \
    VECTOR_CLONES static double NAME(const T *ext, Py_ssize_t count, const T w[TAPS][PHASES]) \
    {                                                                                          \
        T lanes[LANES] = {0};                                                                  \
        T best = 0;                                                                            \
        for (int p = 0; p < PHASES; p++) {                                                     \
            T wp[TAPS];                                                                        \
            for (int j = 0; j < TAPS; j++) {                                                   \
                wp[j] = w[j][p];                                                               \
            }                                                                                  \
            Py_ssize_t n = 0;                                                                  \
            for (; n + LANES <= count; n += LANES) {                                           \
                for (int l = 0; l < LANES; l++) {                                              \
                    const T *x = ext + n + l;                                                  \
                    T acc = wp[0] * x[0];                                                      \
                    for (int j = 1; j < TAPS; j++) {                                           \
                        acc = acc + wp[j] * x[j];                                              \
                    }                                                                          \
                    const T magnitude = ABS(acc);                                              \
                    lanes[l] = magnitude > lanes[l] ? magnitude : lanes[l];                    \
                }                                                                              \
            }                                                                                  \
            for (; n < count; n++) {                                                           \
                const T *x = ext + n;                                                          \
                T acc = wp[0] * x[0];                                                          \
                for (int j = 1; j < TAPS; j++) {                                               \
                    acc = acc + wp[j] * x[j];                                                  \
                }                                                                              \
                const T magnitude = ABS(acc);                                                  \
                best = magnitude > best ? magnitude : best;                                    \
            }                                                                                  \
        }                                                                                      \
        for (int l = 0; l < LANES; l++) {                                                      \
            best = lanes[l] > best ? lanes[l] : best;                                          \
        }                                                                                      \
        return (double)best;                                                                   \
    }

DEFINE_PHASE_PEAK(phase_peak_f, float, fabsf)
DEFINE_PHASE_PEAK(phase_peak_d, double, fabs)

#define DEFINE_LARGEST(NAME, T, ABS)                                   \
    VECTOR_CLONES static double NAME(const T *values, Py_ssize_t count) \
    {                                                                   \
        T lanes[LANES] = {0};                                           \
        T best = 0;                                                     \
        Py_ssize_t i = 0;                                               \
        for (; i + LANES <= count; i += LANES) {                        \
            for (int l = 0; l < LANES; l++) {                           \
                const T magnitude = ABS(values[i + l]);                 \
                lanes[l] = magnitude > lanes[l] ? magnitude : lanes[l]; \
            }                                                           \
        }                                                               \
        for (; i < count; i++) {                                        \
            const T magnitude = ABS(values[i]);                         \
            best = magnitude > best ? magnitude : best;                 \
        }                                                               \
        for (int l = 0; l < LANES; l++) {                               \
            best = lanes[l] > best ? lanes[l] : best;                   \
        }                                                               \
        return (double)best;                                            \
    }

DEFINE_LARGEST(largest_f, float, fabsf)
DEFINE_LARGEST(largest_d, double, fabs)

/* ---- one block ---------------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t frames;
    int is_double;
    const void *samples;   /* interleaved (frames, channels) */
    void *ext;             /* per channel: HISTORY + frames samples, channel-major */
    double *peaks;         /* this block's sample peak per channel */
    double *hop_sums;      /* out: the completed hops' weighted energies */
    double *hop_channel;   /* scratch: (channels, hops) per-channel hop energies */
    double *scratch_energies; /* scratch: hop energies of a group's unused lane */
    uint16_t *step_bins;   /* scratch: one channel's step bins (NULL without steps) */
    Py_ssize_t hop_count;
} Block;

static long long
hop_boundary(long long rate, long long hop)
{
    return (hop * rate + HOPS_PER_SECOND / 2) / HOPS_PER_SECOND;
}

/* Hops completed once ``end`` frames have been fed: the largest k with boundary(k) <= end. */
static long long
hops_done(long long rate, long long end)
{
    return ((end + 1) * HOPS_PER_SECOND - HOPS_PER_SECOND / 2 - 1) / rate;
}

/* Note a clipped run [start, end) (without the GIL: raw allocation). */
static void
add_run(State *s, long long start, long long end)
{
    if (s->run_count == s->run_capacity) {
        const Py_ssize_t capacity = s->run_capacity ? 2 * s->run_capacity : 64;
        long long *grown = PyMem_RawRealloc(s->runs, (size_t)capacity * 2 * sizeof(long long));
        if (grown == NULL) {
            s->runs_failed = 1;
            return;
        }
        s->runs = grown;
        s->run_capacity = capacity;
    }
    s->runs[2 * s->run_count] = start;
    s->runs[2 * s->run_count + 1] = end;
    s->run_count++;
}

static void
count_step(long long *counts, float step)
{
    uint32_t bits;
    memcpy(&bits, &step, sizeof(bits));
    counts[bits >> STEP_BIN_SHIFT]++;
}

/* Sum of values in float64, LANES partial sums side by side (so that it vectorises). */
#define DEFINE_SUM(NAME, T)                                              \
    VECTOR_CLONES static double NAME(const T *values, Py_ssize_t count) \
    {                                                                   \
        double lanes[LANES] = {0};                                      \
        double total = 0.0;                                             \
        Py_ssize_t i = 0;                                               \
        for (; i + LANES <= count; i += LANES) {                        \
            for (int l = 0; l < LANES; l++) {                           \
                lanes[l] += (double)values[i + l];                      \
            }                                                           \
        }                                                               \
        for (; i < count; i++) {                                        \
            total += (double)values[i];                                 \
        }                                                               \
        for (int l = 0; l < LANES; l++) {                               \
            total += lanes[l];                                          \
        }                                                               \
        return total;                                                   \
    }

DEFINE_SUM(sum_f, float)
DEFINE_SUM(sum_d, double)

/* One channel of an interleaved block (``in`` at its first sample, ``channels`` apart) into
 * ``row``, non-finite samples as 0; returns how many there were. One function per type and
 * stride (1, 2, or any: ``STRIDE``), so that the common ones vectorise. */
#define DEFINE_DEINTERLEAVE(NAME, T, ABS, LIMIT, STRIDE)                                      \
    VECTOR_CLONES static long long NAME(const T *in, int channels, T *row, Py_ssize_t frames) \
    {                                                                                        \
        (void)channels;                                                                      \
        long long nonfinite = 0;                                                             \
        for (Py_ssize_t f = 0; f < frames; f++) {                                            \
            const T value = in[f * (STRIDE)];                                                \
            const int bad = !(ABS(value) <= LIMIT);                                          \
            row[f] = bad ? (T)0 : value;                                                     \
            nonfinite += bad;                                                                \
        }                                                                                    \
        return nonfinite;                                                                    \
    }

DEFINE_DEINTERLEAVE(deinterleave_f_1, float, fabsf, FLT_MAX, 1)
DEFINE_DEINTERLEAVE(deinterleave_f_2, float, fabsf, FLT_MAX, 2)
DEFINE_DEINTERLEAVE(deinterleave_f_n, float, fabsf, FLT_MAX, channels)
DEFINE_DEINTERLEAVE(deinterleave_d_1, double, fabs, DBL_MAX, 1)
DEFINE_DEINTERLEAVE(deinterleave_d_2, double, fabs, DBL_MAX, 2)
DEFINE_DEINTERLEAVE(deinterleave_d_n, double, fabs, DBL_MAX, channels)

/* The bins of the steps |row[f] - row[f - 1]| (taken in T, binned as float32), f >= 1. */
#define DEFINE_STEP_BINS(NAME, T, ABS)                                                        \
    VECTOR_CLONES static void NAME(const T *row, Py_ssize_t frames, uint16_t *bins)         \
    {                                                                                       \
        for (Py_ssize_t f = 1; f < frames; f++) {                                           \
            const float step = (float)ABS(row[f] - row[f - 1]);                             \
            uint32_t bits;                                                                  \
            memcpy(&bits, &step, sizeof(bits));                                             \
            bins[f] = (uint16_t)(bits >> STEP_BIN_SHIFT);                                   \
        }                                                                                   \
    }

DEFINE_STEP_BINS(step_bins_f, float, fabsf)
DEFINE_STEP_BINS(step_bins_d, double, fabs)

/* Add bins[1..frames) to counts. Neighbouring steps often share a bin: counting them into
 * SUB_HISTOGRAMS interleaved histograms lets the increments overlap rather than queue. */
static void
count_step_bins(State *s, long long *counts, const uint16_t *bins, Py_ssize_t frames)
{
    if (frames < SUB_HISTOGRAM_MIN_FRAMES) {
        for (Py_ssize_t f = 1; f < frames; f++) {
            counts[bins[f]]++;
        }
        return;
    }
    uint32_t(*sub)[STEP_BINS] = s->sub_histograms;
    memset(sub, 0, SUB_HISTOGRAMS * sizeof(*sub));
    Py_ssize_t f = 1;
    for (; f + SUB_HISTOGRAMS <= frames; f += SUB_HISTOGRAMS) {
        for (int h = 0; h < SUB_HISTOGRAMS; h++) {
            sub[h][bins[f + h]]++;
        }
    }
    for (; f < frames; f++) {
        counts[bins[f]]++;
    }
    for (int h = 0; h < SUB_HISTOGRAMS; h++) {
        for (int bin = 0; bin < STEP_BINS; bin++) {
            counts[bin] += sub[h][bin];
        }
    }
}

/* De-interleave into ext (after each channel's history), zero non-finite samples, and scan
 * each channel's row: peaks, DC sums, sound above the silence level, clipped runs (the run
 * still going at the block's end is reported too once it is long enough, as kernel_numpy does)
 * and steps. A step within the block is taken in T, the one from the previous block in
 * float64. Levels are compared in T. */
#define DEFINE_SPLIT(NAME, T, ABS, DEINTERLEAVE, LARGEST, SUM, STEP_BINS_OF)                   \
    static void NAME(State *s, Block *b)                                                     \
    {                                                                                        \
        const T *in = (const T *)b->samples;                                                 \
        T *ext = (T *)b->ext;                                                                \
        const int channels = s->channels;                                                    \
        const Py_ssize_t frames = b->frames, stride = HISTORY + frames;                      \
        const T clip = (T)s->clip_level, silence = (T)s->silence_level;                      \
        const long long position = s->position;                                              \
        Py_ssize_t block_first = -1, block_last = -1;                                        \
        for (int c = 0; c < channels; c++) {                                                 \
            T *row = ext + c * stride;                                                       \
            for (int i = 0; i < HISTORY; i++) {                                              \
                row[i] = (T)s->history[c * HISTORY + i];                                     \
            }                                                                                \
            row += HISTORY;                                                                  \
            s->nonfinite += channels == 1   ? DEINTERLEAVE##_1(in + c, channels, row, frames)  \
                            : channels == 2 ? DEINTERLEAVE##_2(in + c, channels, row, frames)  \
                                            : DEINTERLEAVE##_n(in + c, channels, row, frames); \
            const T peak = (T)LARGEST(row, frames);                                          \
            b->peaks[c] = (double)peak;                                                      \
            s->dc_sum[c] += SUM(row, frames);                                                \
            if (peak >= silence) {                                                           \
                Py_ssize_t first = 0, last = frames - 1;                                     \
                while (!(ABS(row[first]) >= silence)) {                                      \
                    first++;                                                                 \
                }                                                                            \
                while (!(ABS(row[last]) >= silence)) {                                       \
                    last--;                                                                  \
                }                                                                            \
                block_first = block_first < 0 || first < block_first ? first : block_first;  \
                block_last = last > block_last ? last : block_last;                          \
            }                                                                                \
            if (peak >= clip || s->open_sign[c] != 0) {                                      \
                int sign = s->open_sign[c];                                                  \
                long long run_start = s->open_start[c];                                      \
                for (Py_ssize_t f = 0; f < frames; f++) {                                    \
                    const int now = (row[f] >= clip) - (row[f] <= -clip);                    \
                    if (now != sign) {                                                       \
                        if (sign != 0 && position + f - run_start >= MIN_CLIP_RUN) {         \
                            add_run(s, run_start, position + f);                             \
                        }                                                                    \
                        sign = now;                                                          \
                        run_start = position + f;                                            \
                    }                                                                        \
                }                                                                            \
                if (sign != 0 && position + frames - run_start >= MIN_CLIP_RUN) {            \
                    add_run(s, run_start, position + frames);                                \
                }                                                                            \
                s->open_sign[c] = sign;                                                      \
                s->open_start[c] = run_start;                                                \
            }                                                                                \
            long long *counts = s->step_counts + (size_t)c * STEP_BINS;                      \
            if (position == 0) {                                                             \
                s->first_frame[c] = (double)row[0];                                          \
            }                                                                                \
            else if (s->steps) {                                                             \
                count_step(counts, (float)fabs((double)row[0] - s->last_frame[c]));          \
            }                                                                                \
            if (s->steps) {                                                                  \
                STEP_BINS_OF(row, frames, b->step_bins);                                     \
                count_step_bins(s, counts, b->step_bins, frames);                            \
            }                                                                                \
            s->last_frame[c] = (double)row[frames - 1];                                      \
        }                                                                                    \
        if (block_first >= 0 && s->first_sound < 0) {                                       \
            s->first_sound = position + block_first;                                         \
        }                                                                                    \
        if (block_last >= 0) {                                                               \
            s->last_sound = position + block_last;                                           \
        }                                                                                    \
    }

DEFINE_SPLIT(split_f, float, fabsf, deinterleave_f, largest_f, sum_f, step_bins_f)
DEFINE_SPLIT(split_d, double, fabs, deinterleave_d, largest_d, sum_d, step_bins_d)

/* K-weight GROUP channels at once, their recursions side by side in one vector of two doubles
 * (GCC's and clang's vector extension: each lane does the scalar operations, in their order),
 * adding the squares of each hop's frames to ``energies`` (hop k ends at the block's
 * ``cuts[k]``; the last segment collects the incomplete hop). */
#define GROUP 2

typedef double pair __attribute__((vector_size(GROUP * sizeof(double))));

#define DEFINE_WEIGHT(NAME, T)                                                                \
    static void NAME(const double sos[SECTIONS][6], double *z[GROUP], const T *x[GROUP],      \
                     const Py_ssize_t *cuts, Py_ssize_t segments, double *energies[GROUP])    \
    {                                                                                         \
        const double b00 = sos[0][0], b01 = sos[0][1], b02 = sos[0][2];                       \
        const double a01 = sos[0][4], a02 = sos[0][5];                                        \
        const double b10 = sos[1][0], b11 = sos[1][1], b12 = sos[1][2];                       \
        const double a11 = sos[1][4], a12 = sos[1][5];                                        \
        pair z00 = {z[0][0], z[1][0]}, z01 = {z[0][1], z[1][1]};                              \
        pair z10 = {z[0][2], z[1][2]}, z11 = {z[0][3], z[1][3]};                              \
        const T *x0 = x[0], *x1 = x[1];                                                       \
        Py_ssize_t start = 0;                                                                 \
        for (Py_ssize_t k = 0; k < segments; k++) {                                           \
            pair sum = {0.0, 0.0};                                                            \
            for (Py_ssize_t n = start; n < cuts[k]; n++) {                                    \
                const pair in = {(double)x0[n], (double)x1[n]};                               \
                const pair mid = b00 * in + z00;                                              \
                z00 = b01 * in - a01 * mid + z01;                                             \
                z01 = b02 * in - a02 * mid;                                                   \
                const pair out = b10 * mid + z10;                                             \
                z10 = b11 * mid - a11 * out + z11;                                            \
                z11 = b12 * mid - a12 * out;                                                  \
                sum += out * out;                                                             \
            }                                                                                 \
            energies[0][k] += sum[0];                                                         \
            energies[1][k] += sum[1];                                                         \
            start = cuts[k];                                                                  \
        }                                                                                     \
        for (int g = 0; g < GROUP; g++) {                                                     \
            z[g][0] = z00[g];                                                                 \
            z[g][1] = z01[g];                                                                 \
            z[g][2] = z10[g];                                                                 \
            z[g][3] = z11[g];                                                                 \
        }                                                                                     \
    }

DEFINE_WEIGHT(weight_f, float)
DEFINE_WEIGHT(weight_d, double)

static void
measure_loudness(State *s, Block *b, const Py_ssize_t *cuts)
{
    const Py_ssize_t segments = b->hop_count + 1;
    const Py_ssize_t stride = HISTORY + b->frames;
    int weighted[GROUP];
    int filled = 0;
    for (int c = 0; c <= s->channels; c++) {
        if (c < s->channels) {
            if (!(s->weights[c] > 0.0)) {
                continue;
            }
            weighted[filled++] = c;
            b->hop_channel[c * segments] = s->partial_hop[c];
        }
        if (filled == 0 || (filled < GROUP && c < s->channels)) {
            continue;
        }
        /* A group short of channels repeats its first one into scratch state. */
        double scratch_state[4], *z[GROUP], *energies[GROUP];
        const float *xf[GROUP];
        const double *xd[GROUP];
        for (int g = 0; g < GROUP; g++) {
            const size_t at = (size_t)weighted[g < filled ? g : 0] * stride + HISTORY;
            xf[g] = (const float *)b->ext + at;
            xd[g] = (const double *)b->ext + at;
            if (g < filled) {
                z[g] = s->filter_state + weighted[g] * SECTIONS * 2;
                energies[g] = b->hop_channel + weighted[g] * segments;
            }
            else {
                memcpy(scratch_state, z[0], sizeof(scratch_state));
                z[g] = scratch_state;
                energies[g] = b->scratch_energies;
            }
        }
        if (b->is_double) {
            weight_d(s->sos, z, xd, cuts, segments, energies);
        }
        else {
            weight_f(s->sos, z, xf, cuts, segments, energies);
        }
        filled = 0;
    }
    for (int c = 0; c < s->channels; c++) {
        if (s->weights[c] > 0.0) {
            s->partial_hop[c] = b->hop_channel[c * segments + b->hop_count];
        }
    }
    for (Py_ssize_t k = 0; k < b->hop_count; k++) {
        double sum = 0.0;
        for (int c = 0; c < s->channels; c++) {
            if (s->weights[c] > 0.0) {
                sum += s->weights[c] * b->hop_channel[c * segments + k];
            }
        }
        b->hop_sums[k] = sum;
    }
}

static double
largest(const double *values, int count)
{
    double best = 0.0;
    for (int i = 0; i < count; i++) {
        best = values[i] > best ? values[i] : best;
    }
    return best;
}

/* Interpolate each channel's windows, skipping chunks whose largest sample times the
 * overshoot bound cannot reach the running peak (which then bounds the result anyway). */
static void
measure_true_peak(State *s, Block *b)
{
    const Py_ssize_t stride = HISTORY + b->frames;
    for (int c = 0; c < s->channels; c++) {
        for (Py_ssize_t start = 0; start < b->frames; start += CHUNK) {
            const Py_ssize_t count = b->frames - start < CHUNK ? b->frames - start : CHUNK;
            const double threshold =
                fmax(largest(s->interpolated, s->channels), largest(s->sample_peak, s->channels));
            double found;
            if (b->is_double) {
                const double *ext = (const double *)b->ext + c * stride + start;
                if (largest_d(ext, count + HISTORY) * s->safe_bound < threshold) {
                    continue;
                }
                found = phase_peak_d(ext, count, (const double(*)[PHASES])s->window_weights);
            }
            else {
                const float *ext = (const float *)b->ext + c * stride + start;
                if (largest_f(ext, count + HISTORY) * s->safe_bound < threshold) {
                    continue;
                }
                found = phase_peak_f(ext, count, (const float(*)[PHASES])s->window_weights_f);
            }
            s->interpolated[c] = fmax(s->interpolated[c], found);
        }
        for (int i = 0; i < HISTORY; i++) {
            const Py_ssize_t at = c * stride + b->frames + i;
            s->history[c * HISTORY + i] =
                b->is_double ? ((const double *)b->ext)[at] : (double)((const float *)b->ext)[at];
        }
    }
}

static void
run_block(State *s, Block *b, const Py_ssize_t *cuts)
{
    if (b->is_double) {
        split_d(s, b);
    }
    else {
        split_f(s, b);
    }
    for (int c = 0; c < s->channels; c++) {
        s->sample_peak[c] = fmax(s->sample_peak[c], b->peaks[c]);
    }
    if (s->loudness) {
        measure_loudness(s, b, cuts);
    }
    if (s->true_peak) {
        measure_true_peak(s, b);
    }
}

/* Accept native-order float32 ('f') or float64 ('d') buffer formats; -1 otherwise. */
static int
is_double_format(const char *format)
{
    if (format == NULL) {
        return -1;
    }
    if (*format == '@' || *format == '=' || *format == (PY_LITTLE_ENDIAN ? '<' : '>')) {
        format++;
    }
    if (strcmp(format, "f") == 0) {
        return 0;
    }
    if (strcmp(format, "d") == 0) {
        return 1;
    }
    return -1;
}

static PyObject *
doubles_to_list(const double *values, Py_ssize_t count)
{
    PyObject *list = PyList_New(count);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyFloat_FromDouble(values[i]);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyTypeObject StateType;

static PyObject *
kernel_feed(PyObject *module, PyObject *args)
{
    State *s;
    PyObject *samples;
    if (!PyArg_ParseTuple(args, "O!O", &StateType, &s, &samples)) {
        return NULL;
    }
    if (s->weights == NULL) {
        PyErr_SetString(PyExc_ValueError, "the kernel state is not initialised");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(samples, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    Block b = {0};
    b.is_double = is_double_format(view.format);
    if (view.ndim != 2 || view.shape[1] != s->channels || b.is_double < 0) {
        PyErr_Format(PyExc_ValueError,
                     "expected C-contiguous (frames, %d) float32 or float64 samples",
                     s->channels);
        PyBuffer_Release(&view);
        return NULL;
    }
    if (s->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the kernel state is being fed by another thread");
        PyBuffer_Release(&view);
        return NULL;
    }
    b.frames = view.shape[0];
    b.samples = view.buf;
    const int channels = s->channels;
    const long long end = s->position + b.frames;
    const long long first_hop = s->hops + 1;
    const long long last_hop = s->loudness ? hops_done(s->rate, end) : s->hops;
    b.hop_count = (Py_ssize_t)(last_hop - s->hops);
    const size_t item = b.is_double ? sizeof(double) : sizeof(float);
    const size_t ext_size = (size_t)channels * (HISTORY + b.frames) * item;
    if (ext_size > s->ext_size) {
        PyMem_Free(s->ext);
        s->ext = PyMem_Malloc(ext_size);
        s->ext_size = s->ext == NULL ? 0 : ext_size;
    }
    b.ext = s->ext;
    b.peaks = PyMem_Calloc(channels, sizeof(double));
    b.hop_sums = PyMem_Calloc(b.hop_count + 1, sizeof(double));
    b.hop_channel = PyMem_Calloc((size_t)channels * (b.hop_count + 1), sizeof(double));
    b.scratch_energies = PyMem_Calloc(b.hop_count + 1, sizeof(double));
    b.step_bins = s->steps ? PyMem_Malloc((b.frames + 1) * sizeof(uint16_t)) : NULL;
    Py_ssize_t *cuts = PyMem_Calloc(b.hop_count + 1, sizeof(Py_ssize_t));
    PyObject *result = NULL;
    if (!b.ext || !b.peaks || !b.hop_sums || !b.hop_channel || !b.scratch_energies ||
        (s->steps && !b.step_bins) || !cuts) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < b.hop_count; k++) {
        cuts[k] = (Py_ssize_t)(hop_boundary(s->rate, first_hop + k) - s->position);
    }
    cuts[b.hop_count] = b.frames;
    s->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    if (b.frames > 0) {
        run_block(s, &b, cuts);
    }
    Py_END_ALLOW_THREADS
    s->busy = 0;
    s->position = end;
    s->hops = last_hop;
    if (s->runs_failed) {
        PyErr_NoMemory();
        goto done;
    }
    result = doubles_to_list(b.hop_sums, b.hop_count);
done:
    PyMem_Free(b.peaks);
    PyMem_Free(b.hop_sums);
    PyMem_Free(b.hop_channel);
    PyMem_Free(b.scratch_energies);
    PyMem_Free(b.step_bins);
    PyMem_Free(cuts);
    PyBuffer_Release(&view);
    return result;
}

static PyObject *
kernel_peaks(PyObject *module, PyObject *args)
{
    State *s;
    if (!PyArg_ParseTuple(args, "O!", &StateType, &s)) {
        return NULL;
    }
    if (s->weights == NULL) {
        PyErr_SetString(PyExc_ValueError, "the kernel state is not initialised");
        return NULL;
    }
    const double sample = largest(s->sample_peak, s->channels);
    if (!s->true_peak) {
        return Py_BuildValue("(dd)", sample, sample);
    }
    /* The tail into trailing silence: the history followed by zeros, in float64. */
    double tail = 0.0;
    for (int c = 0; c < s->channels; c++) {
        double ext[2 * HISTORY] = {0};
        memcpy(ext, s->history + c * HISTORY, HISTORY * sizeof(double));
        tail = fmax(tail, phase_peak_d(ext, HISTORY, (const double(*)[PHASES])s->window_weights));
    }
    const double true_peak = fmax(fmax(largest(s->interpolated, s->channels), sample), tail);
    return Py_BuildValue("(dd)", sample, true_peak);
}

static State *
initialised_state(PyObject *args)
{
    State *s;
    if (!PyArg_ParseTuple(args, "O!", &StateType, &s)) {
        return NULL;
    }
    if (s->weights == NULL) {
        PyErr_SetString(PyExc_ValueError, "the kernel state is not initialised");
        return NULL;
    }
    if (s->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the kernel state is being fed by another thread");
        return NULL;
    }
    return s;
}

static PyObject *
kernel_take_runs(PyObject *module, PyObject *args)
{
    State *s = initialised_state(args);
    if (s == NULL) {
        return NULL;
    }
    PyObject *starts = PyList_New(s->run_count), *ends = PyList_New(s->run_count);
    if (starts == NULL || ends == NULL) {
        goto fail;
    }
    for (Py_ssize_t i = 0; i < s->run_count; i++) {
        PyObject *start = PyLong_FromLongLong(s->runs[2 * i]);
        if (start == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(starts, i, start);
        PyObject *end = PyLong_FromLongLong(s->runs[2 * i + 1]);
        if (end == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(ends, i, end);
    }
    s->run_count = 0;
    return Py_BuildValue("(NN)", starts, ends);
fail:
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    return NULL;
}

static PyObject *
optional_frame(long long frame)
{
    return frame < 0 ? Py_NewRef(Py_None) : PyLong_FromLongLong(frame);
}

static PyObject *
kernel_scans(PyObject *module, PyObject *args)
{
    State *s = initialised_state(args);
    if (s == NULL) {
        return NULL;
    }
    const int channels = s->channels;
    PyObject *first_frame =
        s->position > 0 ? doubles_to_list(s->first_frame, channels) : Py_NewRef(Py_None);
    return Py_BuildValue(
        "(NLNNNNN)", doubles_to_list(s->dc_sum, channels), s->nonfinite,
        optional_frame(s->first_sound), optional_frame(s->last_sound), first_frame,
        doubles_to_list(s->last_frame, channels),
        PyBytes_FromStringAndSize((const char *)s->step_counts,
                                  (Py_ssize_t)channels * STEP_BINS * sizeof(long long)));
}

/* ---- PCM decoding ------------------------------------------------------------------------- */

/* Each container's bytes at the top of a 32-bit word, shifted left by ``shift``, as float32:
 * one function per container size, so that the byte loop is unrolled and vectorised. */
#define DEFINE_DECODE(NAME, CONTAINER)                                                        \
    VECTOR_CLONES static void NAME(const unsigned char *in, float *out, Py_ssize_t count,    \
                                   int shift)                                                 \
    {                                                                                         \
        for (Py_ssize_t i = 0; i < count; i++) {                                              \
            uint32_t word = 0;                                                                \
            for (int b = 0; b < CONTAINER; b++) {                                             \
                word |= (uint32_t)in[i * CONTAINER + b] << (8 * (b + 4 - CONTAINER));         \
            }                                                                                 \
            out[i] = (float)(int32_t)(word << shift) * (1.0f / 2147483648.0f);                \
        }                                                                                     \
    }

DEFINE_DECODE(decode_2, 2)
DEFINE_DECODE(decode_3, 3)
DEFINE_DECODE(decode_4, 4)

/* decode_pcm(raw, out, container, shift): little-endian integer samples of ``container`` bytes
 * (2 to 4) from ``raw``, each placed at the top of a 32-bit word and shifted left by ``shift``
 * bits, into the float32 buffer ``out`` at full scale 1.0: (float)word * 2**-31, which is what
 * libsndfile gives (every value of up to 24 bits exactly). */
static PyObject *
kernel_decode_pcm(PyObject *module, PyObject *args)
{
    Py_buffer raw, out;
    int container, shift;
    if (!PyArg_ParseTuple(args, "y*w*ii", &raw, &out, &container, &shift)) {
        return NULL;
    }
    PyObject *result = NULL;
    const Py_ssize_t count = raw.len / (container > 0 ? container : 1);
    if (container < 2 || container > 4 || shift < 0 || shift >= 8 * container) {
        PyErr_SetString(PyExc_ValueError, "containers of 2 to 4 bytes, a shift within them");
    }
    else if (out.len != count * (Py_ssize_t)sizeof(float) || raw.len % container) {
        PyErr_SetString(PyExc_ValueError, "out must hold one float32 for each whole sample");
    }
    else {
        Py_BEGIN_ALLOW_THREADS
        switch (container) {
        case 2:
            decode_2(raw.buf, out.buf, count, shift);
            break;
        case 3:
            decode_3(raw.buf, out.buf, count, shift);
            break;
        default:
            decode_4(raw.buf, out.buf, count, shift);
        }
        Py_END_ALLOW_THREADS
        result = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&raw);
    PyBuffer_Release(&out);
    return result;
}

static PyTypeObject StateType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "soundlint.audio._kernel.State",
    .tp_doc = PyDoc_STR("State(sample_rate, weights, sos, window_weights, safe_bound, *, "
                        "clip_level=1.0, silence_level=0.001, true_peak=True, steps=True)"),
    .tp_basicsize = sizeof(State),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)State_init,
    .tp_dealloc = (destructor)State_dealloc,
};

static PyMethodDef kernel_methods[] = {
    {"feed", kernel_feed, METH_VARARGS,
     PyDoc_STR("feed(state, samples) -> the completed hops' weighted energies")},
    {"peaks", kernel_peaks, METH_VARARGS,
     PyDoc_STR("peaks(state) -> (sample_peak, true_peak)")},
    {"take_runs", kernel_take_runs, METH_VARARGS,
     PyDoc_STR("take_runs(state) -> (starts, ends) of the clipped runs found since the last call")},
    {"scans", kernel_scans, METH_VARARGS,
     PyDoc_STR("scans(state) -> (dc_sums, nonfinite, first_sound, last_sound, first_frame, "
               "last_frame, step_counts)")},
    {"decode_pcm", kernel_decode_pcm, METH_VARARGS,
     PyDoc_STR("decode_pcm(raw, out, container, shift): integer PCM into float32 samples")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "soundlint.audio._kernel",
    .m_doc = PyDoc_STR("The meter's compiled per-sample pass (see soundlint.audio.kernel)."),
    .m_size = -1,
    .m_methods = kernel_methods,
};

PyMODINIT_FUNC
PyInit__kernel(void)
{
    if (PyType_Ready(&StateType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&kernel_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&StateType);
    if (PyModule_AddObject(module, "State", (PyObject *)&StateType) < 0) {
        Py_DECREF(&StateType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
