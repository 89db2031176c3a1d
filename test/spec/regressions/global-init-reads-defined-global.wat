;; A global initializer may read only imported globals, so this module is
;; invalid (global.wast line 352). The compiler's validator threw a
;; TypeError ("Cannot read properties of undefined") instead of rejecting it.
;; expect: rejected "unknown global"
(module
  (global i32 (i32.const 0))
  (global i32 (global.get 0)))
