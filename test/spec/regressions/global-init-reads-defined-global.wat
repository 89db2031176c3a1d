;; A global initializer may read only imported globals, so this module is
;; invalid ("unknown global", global.wast line 352).
;;
;; wat2wasm --no-check global-init-reads-defined-global.wat -o r.wasm
;; npm run aot -- r.wasm --target user -o r; echo $?
;; expected: exit status 1 and "aot: r.wasm: unknown global 0 ... at byte
;;           offset N"
;; actual:   exit status 1 and "aot: Cannot read properties of undefined
;;           (reading 'module')": a TypeError escapes the validator, and the
;;           message names neither the reason nor the offset
(module
  (global i32 (i32.const 0))
  (global i32 (global.get 0)))
