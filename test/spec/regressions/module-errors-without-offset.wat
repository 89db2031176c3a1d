;; Module-level validation errors carry no byte offset. Each module below is
;; invalid on its own; assemble one at a time with wat2wasm --no-check.
;;
;; npm run aot -- r.wasm --target user -o r; echo $?
;; expected: exit status 1, the reason and "at byte offset N"
;; actual:   exit status 1, the reason alone, for example
;;   "unknown func 0 in export "a""            (exports.wast line 39)
;;   "unknown type 1"                          (imports.wast line 89)
;;   "multiple memories"                       (memory.wast line 10)
;;   "size minimum must not be greater than maximum"   (memory.wast line 51)
;;   "memory size must be at most 65536 pages (4GiB)"  (memory.wast line 55)
;;   "start function must have type [] -> []"  (start.wast line 7)
;;   "multiple tables"                         (table-sub.wast line 2)
;; 41 assert_invalid commands of the spec suite fail this way.
(module (export "a" (func 0)))
;; (module (func (type 1)))
;; (module (memory 1) (memory 1))
;; (module (memory 1 0))
;; (module (memory 65537))
;; (module (func $f (param i32)) (start $f))
