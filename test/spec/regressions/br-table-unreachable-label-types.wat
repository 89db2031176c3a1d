;; br_table after `unreachable` whose labels have different result types
;; (f32 and f64) is valid: the operand stack is polymorphic there, so the
;; branch operand matches every label (spec 3.3.8.7, unreached-valid.wast
;; line 49).
;;
;; wat2wasm br-table-unreachable-label-types.wat -o r.wasm
;; npm run aot -- r.wasm --target user -o r && ./r; echo $?
;; expected: "trap: unreachable in main" on stderr, exit status 134
;; actual:   aot: type mismatch: expected f64, found f32 in br_table of
;;           func[0] at byte offset ... (the module is rejected)
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
