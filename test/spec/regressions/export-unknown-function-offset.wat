;; Module-level validation errors had no byte offset: this one read
;; 'unknown func 0 in export "a"' (exports.wast line 39). Others of the same
;; kind: "unknown type", "multiple memories", "size minimum must not be
;; greater than maximum", "start function must have type [] -> []".
;; expect: rejected "unknown func"
(module (export "a" (func 0)))
