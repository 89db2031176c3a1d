; syscall entry (SDM Vol. 2B "SYSCALL"): the CPU saves rip in rcx and
; rflags in r11, loads CS/SS from STAR and masks rflags with SFMASK (the
; kernel masks IF, so system calls run with interrupts off). It does not
; switch stacks: the entry loads the current process's kernel stack and
; builds the same trap frame as an interrupt from ring 3 (idt.asm), with
; vector 0x100, then returns through iretq.

bits 64
default rel

%define SYSCALL_VECTOR 0x100
%define USER_CS (0x20 | 3)
%define USER_SS (0x18 | 3)

extern syscall_kernel_rsp
extern trap_common
global arch_syscall_entry_address

section .text
syscall_entry:
    mov [syscall_user_rsp], rsp
    mov rsp, [syscall_kernel_rsp]
    push USER_SS
    push qword [syscall_user_rsp]
    push r11                       ; user rflags
    push USER_CS
    push rcx                       ; user rip
    push 0                         ; error code
    push SYSCALL_VECTOR
    jmp trap_common

; Returns the native address of the syscall entry, for MSR LSTAR.
arch_syscall_entry_address:
    lea rax, [syscall_entry]
    ret

section .bss
alignb 8
; Scratch for the user rsp while the entry has no stack; one CPU only.
syscall_user_rsp:
    resq 1
