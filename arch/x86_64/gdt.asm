; Global descriptor table, task-state segment and the kernel stack that
; the CPU loads on entry from ring 3.
;
; Selector layout, fixed by syscall/sysret (SDM Vol. 3A 5.8.8): STAR[47:32]
; = 0x08 gives kernel CS 0x08 and SS 0x10; STAR[63:48] = 0x10 gives user
; SS 0x18 | 3 and user CS 0x20 | 3.

bits 64
default rel

global arch_load_gdt
global arch_set_kernel_stack
global syscall_kernel_rsp

%define TSS_SIZE 104

section .data
align 16, db 0
gdt:
    dq 0                           ; 0x00 null
    dq 0x00AF9A000000FFFF          ; 0x08 kernel code, 64-bit (L = 1)
    dq 0x00CF92000000FFFF          ; 0x10 kernel data
    dq 0x00CFF2000000FFFF          ; 0x18 user data, DPL 3
    dq 0x00AFFA000000FFFF          ; 0x20 user code, 64-bit, DPL 3
tss_descriptor:
    dq 0, 0                        ; 0x28 64-bit TSS, filled in at run time
gdt_end:

gdt_descriptor:
    dw gdt_end - gdt - 1
    dq gdt

; 64-bit TSS (SDM Vol. 3A 8.7): rsp0 at offset 4, IST1 at offset 36, the
; I/O map base at offset 102 points past the limit, so no I/O bitmap.
align 16, db 0
tss:
    dd 0
tss_rsp0:
    dq 0
    dq 0, 0                        ; rsp1, rsp2
    dq 0                           ; reserved
tss_ist1:
    dq double_fault_stack_top
    times 48 db 0                  ; IST2-IST7
    dq 0                           ; reserved
    dw 0
    dw TSS_SIZE
; Top of the current process's kernel stack, for the syscall entry.
syscall_kernel_rsp:
    dq 0

section .bss
alignb 16
; Stack for double faults (IST1), so that a kernel stack overflow still
; reaches the panic handler instead of triple-faulting.
double_fault_stack:
    resb 16384
double_fault_stack_top:

section .text

; Loads the GDT, reloads every segment register and the task register.
arch_load_gdt:
    push rbp
    mov rbp, rsp

    ; TSS descriptor (SDM Vol. 3A 8.2.3): limit 15:0 | base 23:0 at 16 |
    ; type 0x89 (present, available 64-bit TSS) at 40 | limit 19:16 at 48 |
    ; base 31:24 at 56; the second quadword holds base 63:32.
    lea rax, [tss]
    mov rdx, rax
    mov rcx, rax
    and rdx, 0xFFFFFF
    shl rdx, 16
    or rdx, TSS_SIZE - 1
    mov r8, 0x89
    shl r8, 40
    or rdx, r8
    shr rcx, 24
    and rcx, 0xFF
    shl rcx, 56
    or rdx, rcx
    mov [tss_descriptor], rdx
    shr rax, 32
    mov [tss_descriptor + 8], rax

    lgdt [gdt_descriptor]
    ; Reload CS through a far return.
    push 0x08
    lea rax, [.reloaded]
    push rax
    retfq
.reloaded:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov ax, 0x28
    ltr ax
    pop rbp
    ret

; arch_set_kernel_stack(top: u64 native): the stack that interrupts from
; ring 3 (TSS.rsp0) and the syscall entry switch to.
arch_set_kernel_stack:
    mov [tss_rsp0], rdi
    mov [syscall_kernel_rsp], rdi
    ret
