#pragma once

// The row order of each epoch, drawn in the core from a seed the caller gives.
//
// Why here and not in NumPy: NumPy's Generator.permutation takes about 38 ms for 10^6 rows, more
// than a whole epoch at memory speed. This generator (xoshiro256** seeded by SplitMix64, bounded
// integers by Lemire's multiply-shift with rejection, Durstenfeld's shuffle with the swapped
// slots prefetched ahead) uses only fixed-width integer arithmetic, so the orders are the same on
// every platform and compiler, unlike std::shuffle or std::uniform_int_distribution. Large
// permutations are drawn bucket by bucket (scatter_shuffle) to stay in the cache.

#include "types.hpp"

STEEPEST_ALGORITHMS_BEGIN

// SplitMix64 (Steele, Lea, Flood 2014): turns any 64-bit seed into well-mixed state words.
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// xoshiro256** 1.0 (Blackman, Vigna 2018).
class Xoshiro256 {
  public:
    explicit Xoshiro256(std::uint64_t seed) {
        for (auto& word : s_) word = splitmix64(seed);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform on [0, range), range >= 1. Lemire (2019) on 32-bit words for ranges up to 2^32;
    // above that, masked rejection on 64-bit words (no 128-bit arithmetic needed).
    std::uint64_t below(std::uint64_t range) {
        if (range <= (std::uint64_t{1} << 32)) {
            std::uint64_t product = (next() >> 32) * range;
            auto low = static_cast<std::uint32_t>(product);
            if (low < range) {
                const auto threshold = static_cast<std::uint32_t>((std::uint64_t{1} << 32) % range);
                while (low < threshold) {
                    product = (next() >> 32) * range;
                    low = static_cast<std::uint32_t>(product);
                }
            }
            return product >> 32;
        }
        std::uint64_t mask = range - 1;
        for (int shift = 1; shift < 64; shift *= 2) mask |= mask >> shift;
        std::uint64_t candidate;
        do candidate = next() & mask;
        while (candidate >= range);
        return candidate;
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

// A generator for one epoch that depends only on (seed, epoch): any epoch's order can be
// reproduced alone, by the NumPy reference for instance.
inline Xoshiro256 epoch_generator(std::uint64_t seed, index_t epoch) {
    std::uint64_t mix = seed;
    const std::uint64_t seed_word = splitmix64(mix);
    std::uint64_t epoch_state = static_cast<std::uint64_t>(epoch);
    return Xoshiro256(seed_word ^ splitmix64(epoch_state));
}

// Durstenfeld's shuffle of a[0..n). The slot each step will swap with is drawn a window ahead
// and its cache line requested, so that random accesses outside the cache overlap.
inline void shuffle_in_place(index_t* a, index_t n, Xoshiro256& rng) {
    constexpr index_t kWindow = 32;
    index_t partner[kWindow];
    for (index_t top = n - 1; top > 0; top -= kWindow) {
        const index_t steps = std::min(kWindow, top);
        for (index_t s = 0; s < steps; ++s) {
            partner[s] = static_cast<index_t>(rng.below(static_cast<std::uint64_t>(top - s) + 1));
#if defined(__GNUC__) || defined(__clang__)
            __builtin_prefetch(a + partner[s], 1);
#endif
        }
        for (index_t s = 0; s < steps; ++s) std::swap(a[top - s], a[partner[s]]);
    }
}

// Rows per bucket of the scatter shuffle: a bucket's indices (32 KiB) stay in the L1/L2 cache
// while Durstenfeld's shuffle permutes them.
inline constexpr index_t kBucketRows = 4096;

// A uniform random permutation of 0..n-1 into `order`, in cache-sized pieces (Sanders 1998):
// every row goes to one of K buckets chosen uniformly and independently, then each bucket is
// shuffled in place. The result is uniform: for any output sequence, the bucket sizes determine
// the only assignment that yields it, so its probability, the sum over sizes of
// K^-n * prod(1 / size_b!), is the same for every sequence. Plain Durstenfeld over 10^6 rows
// makes one cache miss per row and costs about 3x more.
//
// Threads share the scatter (each takes a contiguous range of rows, a stable scatter) and the
// buckets' shuffles (bucket b draws from its own generator, seeded from one word of `rng` and b,
// as epoch_generator does from a seed and an epoch), so the order does not depend on their
// number. Between two epochs of a fit the scratch memory has left the cache, and one thread took
// 7-8 ms for 10^6 rows.
inline void scatter_shuffle(index_t* order, index_t n, Xoshiro256& rng, std::vector<std::uint16_t>& bucket_of,
                            std::vector<index_t>& slots, int n_threads) {
    int bits = 0;
    while (bits < 16 && (index_t{1} << bits) * kBucketRows < n) ++bits;
    const index_t n_buckets = index_t{1} << bits;
    const std::uint64_t mask = static_cast<std::uint64_t>(n_buckets - 1);
    bucket_of.resize(static_cast<std::size_t>(n));
    // Four 16-bit lanes per draw; the low `bits` bits of a lane are uniform on [0, n_buckets).
    for (index_t i = 0; i < n; i += 4) {
        const std::uint64_t draw = rng.next();
        for (index_t lane = 0; lane < 4 && i + lane < n; ++lane)
            bucket_of[i + lane] = static_cast<std::uint16_t>((draw >> (16 * lane)) & mask);
    }
    const std::uint64_t bucket_seed = rng.next();
    const int team = std::max(1, n_threads);
    // slots: per thread, where its next row of each bucket goes; then where each bucket starts.
    slots.assign(static_cast<std::size_t>((team + 1) * n_buckets + 1), 0);
    index_t* bucket_start = slots.data() + team * n_buckets;
    auto work = [&](int thread, int threads) {
        index_t* next_slot = slots.data() + thread * n_buckets;
        const index_t first = n * thread / threads, last = n * (thread + 1) / threads;
        for (index_t i = first; i < last; ++i) ++next_slot[bucket_of[i]];
        STEEPEST_OMP(omp barrier)
        STEEPEST_OMP(omp single)
        {
            index_t position = 0;
            for (index_t b = 0; b < n_buckets; ++b) {
                bucket_start[b] = position;
                for (int t = 0; t < threads; ++t) {
                    const index_t count = slots[t * n_buckets + b];
                    slots[t * n_buckets + b] = position;
                    position += count;
                }
            }
            bucket_start[n_buckets] = position;
        }
        for (index_t i = first; i < last; ++i) order[next_slot[bucket_of[i]]++] = i;
        STEEPEST_OMP(omp barrier)
        for (index_t b = n_buckets * thread / threads, end = n_buckets * (thread + 1) / threads; b < end; ++b) {
            std::uint64_t bucket_state = static_cast<std::uint64_t>(b);
            Xoshiro256 bucket_rng(bucket_seed ^ splitmix64(bucket_state));
            shuffle_in_place(order + bucket_start[b], bucket_start[b + 1] - bucket_start[b], bucket_rng);
        }
    };
#ifdef _OPENMP
    STEEPEST_OMP(omp parallel num_threads(team) if (team > 1))
    work(omp_get_thread_num(), omp_get_num_threads());
#else
    work(0, 1);
#endif
}

// Reusable memory for epoch orders, so that drawing one allocates nothing after the first epoch.
struct OrderScratch {
    std::vector<index_t> order;
    std::vector<index_t> blocks;
    std::vector<std::uint16_t> bucket_of;
    std::vector<index_t> slots;
};

// The blocks of one epoch in ShuffleMode::blocks, in their random order, into scratch.blocks:
// block k holds rows [k * block_rows, min(n_rows, (k + 1) * block_rows)).
inline const index_t* epoch_block_order(index_t n_rows, index_t block_rows, std::uint64_t seed, index_t epoch,
                                        OrderScratch& scratch) {
    if (block_rows <= 0) throw std::invalid_argument("shuffle_block_rows must be positive");
    const index_t n_blocks = (n_rows + block_rows - 1) / block_rows;
    scratch.blocks.resize(static_cast<std::size_t>(n_blocks));
    for (index_t k = 0; k < n_blocks; ++k) scratch.blocks[k] = k;
    Xoshiro256 rng = epoch_generator(seed, epoch);
    shuffle_in_place(scratch.blocks.data(), n_blocks, rng);
    return scratch.blocks.data();
}

// Fills scratch.order with the rows of one epoch (n_rows values) for ShuffleMode rows or blocks.
// n_threads (1 or more) share the work; the order is the same whatever their number.
inline const index_t* epoch_order(ShuffleMode mode, index_t n_rows, index_t block_rows, std::uint64_t seed,
                                  index_t epoch, OrderScratch& scratch, int n_threads = 1) {
    std::vector<index_t>& order = scratch.order;
    order.resize(static_cast<std::size_t>(n_rows));
    if (mode == ShuffleMode::blocks) {
        epoch_block_order(n_rows, block_rows, seed, epoch, scratch);
        index_t position = 0;
        for (index_t block : scratch.blocks)
            for (index_t row = block * block_rows, end = std::min(n_rows, row + block_rows); row < end; ++row)
                order[position++] = row;
        return order.data();
    }
    Xoshiro256 rng = epoch_generator(seed, epoch);
    if (mode == ShuffleMode::rows && n_rows > kBucketRows) {
        scatter_shuffle(order.data(), n_rows, rng, scratch.bucket_of, scratch.slots, n_threads);
    } else {
        for (index_t k = 0; k < n_rows; ++k) order[k] = k;
        if (mode == ShuffleMode::rows) shuffle_in_place(order.data(), n_rows, rng);
    }
    return order.data();
}

STEEPEST_ALGORITHMS_END
