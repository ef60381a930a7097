;; The SIMD part of the `js` pixel backend (web/worker/kernels.js), in WebAssembly text,
;; compiled at build time by wabt (web/build/wasm-kernels.mjs). Hand-written because no
;; well-kept library does these exact operations with the reference's rounding and NaN rules;
;; each must give the bytes of the standard-library kernels (py/dicomforge/kernels/stdlib*.py),
;; which tests/js/kernels.test.mjs and the Pyodide kernel tests check.
;;
;; Calling convention: kernels.js copies inputs into this module's memory, padded to whole
;; vectors with values that cannot change the result, calls one function per buffer with byte
;; offsets and a vector count, and copies the output back. No function keeps state between
;; calls; results of reductions go to the 32 bytes at offset 0.
(module
  (memory (export "memory") 32)

  ;; ---- rescale to int16 -----------------------------------------------------------------
  ;; out[i] = clamp(nearest((v[i] - intercept) / slope), -32768, 32767), NaN -> -32768, for
  ;; float32 v, 4 elements per step, in f64 arithmetic as the reference does. Clamping first
  ;; gives the same result (the bounds are integers), and pmax(-32768, NaN) is -32768; adding
  ;; 1.5 * 2^52 then rounds half to even and leaves the integer in the low bytes of the lane.
  ;; Written out for both pairs, without calls: V8 does not inline them here.
  (func (export "rescale_f32_i16") (param $src i32) (param $steps i32) (param $dst i32)
    (param $intercept f64) (param $slope f64)
    (local $v v128) (local $lo v128) (local $hi v128)
    (local $b v128) (local $s v128) (local $min v128) (local $max v128) (local $magic v128)
    (local.set $b (f64x2.splat (local.get $intercept)))
    (local.set $s (f64x2.splat (local.get $slope)))
    (local.set $min (f64x2.splat (f64.const -32768)))
    (local.set $max (f64x2.splat (f64.const 32767)))
    (local.set $magic (f64x2.splat (f64.const 6755399441055744)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $v (v128.load (local.get $src)))
        (local.set $lo (f64x2.add (local.get $magic) (f64x2.pmin (local.get $max) (f64x2.pmax (local.get $min)
          (f64x2.div (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $b)) (local.get $s))))))
        (local.set $hi (f64x2.add (local.get $magic) (f64x2.pmin (local.get $max) (f64x2.pmax (local.get $min)
          (f64x2.div (f64x2.sub (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $b)) (local.get $s))))))
        (v128.store64_lane 0 (local.get $dst)
          (i8x16.shuffle 0 1 8 9 16 17 24 25 0 1 8 9 16 17 24 25 (local.get $lo) (local.get $hi)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  ;; ---- ranges ---------------------------------------------------------------------------
  ;; float32: min and max of the kept lanes (finite only, or not NaN) and the number of lanes
  ;; not kept; at 0: min f64, 8: max f64, 16: skipped i32. Both zeros compare equal in the
  ;; reference but not in f32x4.min: kernels.js settles a zero result.
  (func (export "range_f32") (param $src i32) (param $steps i32) (param $finite_only i32)
    (local $x v128) (local $keep v128) (local $lo v128) (local $hi v128) (local $kept v128) (local $total i32)
    (local.set $lo (f32x4.splat (f32.const inf)))
    (local.set $hi (f32x4.splat (f32.const -inf)))
    (local.set $total (i32.shl (local.get $steps) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $x (v128.load (local.get $src)))
        (local.set $keep (if (result v128) (local.get $finite_only)
          (then (f32x4.eq (f32x4.sub (local.get $x) (local.get $x)) (f32x4.splat (f32.const 0))))
          (else (f32x4.eq (local.get $x) (local.get $x)))))
        (local.set $kept (i32x4.sub (local.get $kept) (local.get $keep)))
        (local.set $lo (f32x4.pmin (local.get $lo) (v128.bitselect (local.get $x) (f32x4.splat (f32.const inf)) (local.get $keep))))
        (local.set $hi (f32x4.pmax (local.get $hi) (v128.bitselect (local.get $x) (f32x4.splat (f32.const -inf)) (local.get $keep))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next)))
    (f64.store (i32.const 0) (f64.promote_f32 (f32.min
      (f32.min (f32x4.extract_lane 0 (local.get $lo)) (f32x4.extract_lane 1 (local.get $lo)))
      (f32.min (f32x4.extract_lane 2 (local.get $lo)) (f32x4.extract_lane 3 (local.get $lo))))))
    (f64.store (i32.const 8) (f64.promote_f32 (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $hi)) (f32x4.extract_lane 1 (local.get $hi)))
      (f32.max (f32x4.extract_lane 2 (local.get $hi)) (f32x4.extract_lane 3 (local.get $hi))))))
    (i32.store (i32.const 16) (i32.sub (local.get $total) (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $kept)) (i32x4.extract_lane 1 (local.get $kept)))
      (i32.add (i32x4.extract_lane 2 (local.get $kept)) (i32x4.extract_lane 3 (local.get $kept)))))))

  ;; 8- or 16-bit integers: the lane-wise minimum at 0 and maximum at 16, for kernels.js to
  ;; fold ($kind: 0 int8, 1 uint8, 2 int16, 3 uint16; it pads with element 0)
  (func (export "range_int") (param $src i32) (param $steps i32) (param $kind i32)
    (local $x v128) (local $lo v128) (local $hi v128)
    (local.set $lo (v128.load (local.get $src)))
    (local.set $hi (local.get $lo))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $x (v128.load (local.get $src)))
        (block $kinds
          (block $u16
            (block $i16
              (block $u8
                (block $i8
                  (br_table $i8 $u8 $i16 $u16 (local.get $kind)))
                (local.set $lo (i8x16.min_s (local.get $lo) (local.get $x)))
                (local.set $hi (i8x16.max_s (local.get $hi) (local.get $x)))
                (br $kinds))
              (local.set $lo (i8x16.min_u (local.get $lo) (local.get $x)))
              (local.set $hi (i8x16.max_u (local.get $hi) (local.get $x)))
              (br $kinds))
            (local.set $lo (i16x8.min_s (local.get $lo) (local.get $x)))
            (local.set $hi (i16x8.max_s (local.get $hi) (local.get $x)))
            (br $kinds))
          (local.set $lo (i16x8.min_u (local.get $lo) (local.get $x)))
          (local.set $hi (i16x8.max_u (local.get $hi) (local.get $x))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next)))
    (v128.store (i32.const 0) (local.get $lo))
    (v128.store (i32.const 16) (local.get $hi)))

  ;; ---- grey -> RGBA ---------------------------------------------------------------------
  ;; 16 grey bytes to 16 RGBA pixels (alpha 255) per step
  (func (export "grey_rgba") (param $src i32) (param $steps i32) (param $dst i32)
    (local $g v128) (local $ff v128)
    (local.set $ff (i8x16.splat (i32.const 255)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $g (v128.load (local.get $src)))
        (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 0 0 16 1 1 1 16 2 2 2 16 3 3 3 16 (local.get $g) (local.get $ff)))
        (v128.store offset=16 (local.get $dst) (i8x16.shuffle 4 4 4 16 5 5 5 16 6 6 6 16 7 7 7 16 (local.get $g) (local.get $ff)))
        (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 8 8 16 9 9 9 16 10 10 10 16 11 11 11 16 (local.get $g) (local.get $ff)))
        (v128.store offset=48 (local.get $dst) (i8x16.shuffle 12 12 12 16 13 13 13 16 14 14 14 16 15 15 15 16 (local.get $g) (local.get $ff)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  ;; ---- lookups --------------------------------------------------------------------------
  ;; dst[i] = table[u16[i]] for n elements (scalar: no gather in SIMD; still no bounds checks
  ;; beyond the memory's own)
  (func (export "lookup16") (param $src i32) (param $n i32) (param $table i32) (param $dst i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (i32.store8 (local.get $dst) (i32.load8_u (i32.add (local.get $table) (i32.load16_u (local.get $src)))))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (br $next))))

  ;; the 65536-entry table of a split window: table[H * 256 + L] = clamp((high[H] + low[L]) >> 6)
  ;; (z < 0 -> 0, z >= 256 << 6 -> 255); high and low are 256 int32 each
  (func (export "split_table") (param $high i32) (param $low i32) (param $table i32)
    (local $h i32) (local $l i32) (local $base v128) (local $z v128) (local $out i32)
    (local.set $out (local.get $table))
    (block $hdone
      (loop $hnext
        (br_if $hdone (i32.ge_u (local.get $h) (i32.const 256)))
        (local.set $base (i32x4.splat (i32.load (i32.add (local.get $high) (i32.shl (local.get $h) (i32.const 2))))))
        (local.set $l (i32.const 0))
        (loop $lnext
          ;; 16 low entries: four i32x4 sums, shifted, clamped 0..255, narrowed to 16 bytes
          (v128.store (local.get $out) (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_s
              (call $grey4 (local.get $base) (v128.load offset=0 (i32.add (local.get $low) (i32.shl (local.get $l) (i32.const 2)))))
              (call $grey4 (local.get $base) (v128.load offset=16 (i32.add (local.get $low) (i32.shl (local.get $l) (i32.const 2))))))
            (i16x8.narrow_i32x4_s
              (call $grey4 (local.get $base) (v128.load offset=32 (i32.add (local.get $low) (i32.shl (local.get $l) (i32.const 2)))))
              (call $grey4 (local.get $base) (v128.load offset=48 (i32.add (local.get $low) (i32.shl (local.get $l) (i32.const 2))))))))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $l (i32.add (local.get $l) (i32.const 16)))
          (br_if $lnext (i32.lt_u (local.get $l) (i32.const 256))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hnext))))

  (func $grey4 (param $base v128) (param $low v128) (result v128)
    (local $z v128)
    (local.set $z (i32x4.add (local.get $base) (local.get $low)))
    ;; z >= 256 << 6 -> 255; z < 0 -> 0 (the shift of a negative z is negative: max 0 below)
    (i32x4.max_s (v128.const i32x4 0 0 0 0)
      (i32x4.min_s (v128.const i32x4 255 255 255 255) (i32x4.shr_s (local.get $z) (i32.const 6)))))

  ;; ---- bits -----------------------------------------------------------------------------
  ;; 16 mask bytes (nonzero = set) to 16 bits per step, pixel 0 in bit 0
  (func (export "pack_bits") (param $src i32) (param $steps i32) (param $dst i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (i32.store16 (local.get $dst)
          (i8x16.bitmask (i8x16.ne (v128.load (local.get $src)) (v128.const i32x4 0 0 0 0))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 2)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  ;; 2 packed bytes to 16 bytes of 0 or 1 per step
  (func (export "unpack_bits") (param $src i32) (param $steps i32) (param $dst i32)
    (local $b v128)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $b (v128.load16_splat (local.get $src)))
        (local.set $b (i8x16.shuffle 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 (local.get $b) (local.get $b)))
        (v128.store (local.get $dst)
          (v128.and
            (i8x16.ne (v128.and (local.get $b) (v128.const i8x16 1 2 4 8 16 32 64 128 1 2 4 8 16 32 64 128))
                      (v128.const i32x4 0 0 0 0))
            (i8x16.splat (i32.const 1))))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  ;; elements equal to $want (bit patterns), 16 bytes of elements per step: as bits (16, 8 or
  ;; 4 per step, element 0 in bit 0) or as bytes of 0/1. $size is 1, 2 or 4.
  (func $equal_lanes (param $x v128) (param $want v128) (param $size i32) (result v128)
    (if (result v128) (i32.eq (local.get $size) (i32.const 1))
      (then (i8x16.eq (local.get $x) (local.get $want)))
      (else (if (result v128) (i32.eq (local.get $size) (i32.const 2))
        (then (i16x8.eq (local.get $x) (local.get $want)))
        (else (i32x4.eq (local.get $x) (local.get $want)))))))

  (func (export "equal_bits") (param $src i32) (param $steps i32) (param $want i32) (param $size i32) (param $dst i32)
    (local $w v128) (local $m v128) (local $acc i32) (local $fill i32) (local $k i32)
    (local.set $w (if (result v128) (i32.eq (local.get $size) (i32.const 1))
      (then (i8x16.splat (local.get $want)))
      (else (if (result v128) (i32.eq (local.get $size) (i32.const 2))
        (then (i16x8.splat (local.get $want)))
        (else (i32x4.splat (local.get $want)))))))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $m (call $equal_lanes (v128.load (local.get $src)) (local.get $w) (local.get $size)))
        (if (i32.eq (local.get $size) (i32.const 1))
          (then (i32.store16 (local.get $dst) (i8x16.bitmask (local.get $m)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 2))))
          (else (if (i32.eq (local.get $size) (i32.const 2))
            (then (i32.store8 (local.get $dst) (i16x8.bitmask (local.get $m)))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 1))))
            (else
              ;; four bits per step: two steps fill one byte
              (local.set $acc (i32.or (local.get $acc) (i32.shl (i32x4.bitmask (local.get $m)) (local.get $fill))))
              (local.set $fill (i32.add (local.get $fill) (i32.const 4)))
              (if (i32.eq (local.get $fill) (i32.const 8))
                (then (i32.store8 (local.get $dst) (local.get $acc))
                      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
                      (local.set $acc (i32.const 0))
                      (local.set $fill (i32.const 0))))))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next)))
    (if (local.get $fill) (then (i32.store8 (local.get $dst) (local.get $acc)))))

  (func (export "equal_bytes") (param $src i32) (param $steps i32) (param $want i32) (param $size i32) (param $dst i32)
    (local $w v128) (local $m v128)
    (local.set $w (if (result v128) (i32.eq (local.get $size) (i32.const 1))
      (then (i8x16.splat (local.get $want)))
      (else (if (result v128) (i32.eq (local.get $size) (i32.const 2))
        (then (i16x8.splat (local.get $want)))
        (else (i32x4.splat (local.get $want)))))))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $m (call $equal_lanes (v128.load (local.get $src)) (local.get $w) (local.get $size)))
        (if (i32.eq (local.get $size) (i32.const 1))
          (then (v128.store (local.get $dst) (v128.and (local.get $m) (i8x16.splat (i32.const 1))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16))))
          (else (if (i32.eq (local.get $size) (i32.const 2))
            (then (v128.store64_lane 0 (local.get $dst)
                    (v128.and (i8x16.narrow_i16x8_s (local.get $m) (local.get $m)) (i8x16.splat (i32.const 1))))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 8))))
            (else (v128.store32_lane 0 (local.get $dst)
                    (v128.and (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $m) (local.get $m)) (local.get $m))
                              (i8x16.splat (i32.const 1))))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 4)))))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  ;; ---- byte order, stored bits ------------------------------------------------------------
  (func (export "byteswap16") (param $src i32) (param $steps i32) (param $dst i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (v128.store (local.get $dst)
          (i8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14 (v128.load (local.get $src)) (v128.load (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  (func (export "byteswap32") (param $src i32) (param $steps i32) (param $dst i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (v128.store (local.get $dst)
          (i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (v128.load (local.get $src)) (v128.load (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))

  ;; 16-bit elements: keep the low $bits bits, the bits above the sign bit's copies ($signed)
  ;; or zeros
  (func (export "stored_bits16") (param $src i32) (param $steps i32) (param $bits i32) (param $signed i32) (param $dst i32)
    (local $shift i32) (local $x v128) (local $mask v128)
    (local.set $shift (i32.sub (i32.const 16) (local.get $bits)))
    (local.set $mask (i16x8.splat (i32.sub (i32.shl (i32.const 1) (local.get $bits)) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $x (v128.load (local.get $src)))
        (v128.store (local.get $dst) (if (result v128) (local.get $signed)
          (then (i16x8.shr_s (i16x8.shl (local.get $x) (local.get $shift)) (local.get $shift)))
          (else (v128.and (local.get $x) (local.get $mask)))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br $next))))
)
