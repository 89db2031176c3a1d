;; A memory's minimum must not exceed its maximum (memory.wast line 51); the
;; rejection had no byte offset.
;; expect: rejected "minimum"
(module (memory 1 0))
