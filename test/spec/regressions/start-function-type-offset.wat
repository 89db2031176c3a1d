;; A start function must have type [] -> [] (start.wast line 7); the
;; rejection had no byte offset.
;; expect: rejected "start function"
(module (func $f (param i32)) (start $f))
