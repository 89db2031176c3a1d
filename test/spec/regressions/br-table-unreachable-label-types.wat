;; br_table after `unreachable` whose labels have different result types
;; (f32 and f64) is valid: the operand stack is polymorphic there, so the
;; branch operand matches every label (unreached-valid.wast line 49).
;; The compiler rejected it with "type mismatch: expected f64, found f32 in
;; br_table".
;; expect: trap "unreachable"
(module
  (func (export "main") (result i32)
    (block (result f64)
      (block (result f32)
        (unreachable)
        (br_table 0 1 1 (i32.const 1)))
      (drop)
      (f64.const 0))
    (drop)
    (i32.const 0)))
