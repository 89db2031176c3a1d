; hello-ld: a static x86-64 Linux program built with the standard toolchain
; (nasm -f elf64, then GNU ld), not with tools/aot, so it tests the kernel's
; ELF loader on a file laid out by another linker. It prints
;   hello from ld: argc = N
;   argv[0] = ...
; one line per argument, then exits with status 0.
;
; Start-up state (System V AMD64 ABI initial stack): [rsp] = argc, then the argv
; pointers. System calls: rax = number, rdi, rsi, rdx; rcx and r11 are
; clobbered (Linux x86-64).

bits 64
default rel

SYS_WRITE       equ 1
SYS_EXIT_GROUP  equ 231
STDOUT          equ 1

section .rodata
greeting:       db "hello from ld: argc = "
greeting_len    equ $ - greeting
argv_open:      db "argv["
argv_open_len   equ $ - argv_open
argv_close:     db "] = "
argv_close_len  equ $ - argv_close
newline:        db 10

section .bss
digits:         resb 24             ; decimal digits of one u64, written backwards

section .text
global _start

_start:
        mov     r12, [rsp]          ; argc
        lea     r13, [rsp + 8]      ; argv
        lea     rsi, [greeting]
        mov     rdx, greeting_len
        call    write_stdout
        mov     rax, r12
        call    write_decimal
        call    write_newline

        xor     r14, r14            ; argument index
.next_argument:
        cmp     r14, r12
        jae     .done
        lea     rsi, [argv_open]
        mov     rdx, argv_open_len
        call    write_stdout
        mov     rax, r14
        call    write_decimal
        lea     rsi, [argv_close]
        mov     rdx, argv_close_len
        call    write_stdout
        mov     rsi, [r13 + r14 * 8]
        call    write_cstring
        call    write_newline
        inc     r14
        jmp     .next_argument

.done:
        mov     eax, SYS_EXIT_GROUP
        xor     edi, edi
        syscall

; Writes rdx bytes at rsi to standard output.
write_stdout:
        mov     eax, SYS_WRITE
        mov     edi, STDOUT
        syscall
        ret

write_newline:
        lea     rsi, [newline]
        mov     edx, 1
        jmp     write_stdout

; Writes the NUL-terminated string at rsi.
write_cstring:
        xor     edx, edx
.scan:
        cmp     byte [rsi + rdx], 0
        je      write_stdout
        inc     rdx
        jmp     .scan

; Writes rax as an unsigned decimal number.
write_decimal:
        lea     rsi, [digits + 24]  ; one past the last digit
        mov     ecx, 10
.divide:
        xor     edx, edx
        div     rcx                 ; rax = quotient, rdx = next digit
        add     dl, '0'
        dec     rsi
        mov     [rsi], dl
        test    rax, rax
        jnz     .divide
        lea     rdx, [digits + 24]
        sub     rdx, rsi
        jmp     write_stdout
