; Interrupt descriptor table and the entry stubs of vectors 0-47
; (exceptions 0-31, the remapped 8259 PIC's IRQs 0-15 at 32-47).
;
; Every entry builds the same trap frame on the kernel stack, lowest
; address first (kernel/trap/frame.ts reads it):
;   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax
;   vector error rip cs rflags rsp ss
; 22 quadwords, 176 bytes. The CPU aligns rsp to 16 before it pushes ss
; (SDM Vol. 3A 7.14.2), so the frame is 16-aligned. Below the frame, a
; 512-byte FXSAVE area keeps the interrupted code's x87/SSE state, which
; compiled kernel code may change (SDM Vol. 1 10.5.1). The handler gets the
; frame's wasm address: native address - DIRECT_MAP.

bits 64
default rel

%define DIRECT_MAP 0xFFFF800000000000
%define VECTORS 48

extern wasm_export_trapHandler
global arch_load_idt
global trap_common
global trap_return

section .text

; Exceptions that push an error code (SDM Vol. 3A 7.3, table 7-1).
%macro stub 1
trap_stub_%1:
%if %1 = 8 || %1 = 10 || %1 = 11 || %1 = 12 || %1 = 13 || %1 = 14 || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign i 0
%rep VECTORS
stub i
%assign i i + 1
%endrep

trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    sub rsp, 512
    fxsave [rsp]
    ; The kernel runs with the reset x87/SSE control state, every exception
    ; masked, whatever the interrupted code set (SDM Vol. 1 10.2.3).
    fninit
    ldmxcsr [kernel_mxcsr]
    ; From ring 3, rbp is a user value: end the frame-pointer chain there so
    ; that a backtrace never follows it.
    test qword [rsp + 512 + 144], 3
    jz .kernel
    xor ebp, ebp
.kernel:
    lea rdi, [rsp + 512]
    mov rax, DIRECT_MAP
    sub rdi, rax
    call wasm_export_trapHandler
; rsp points at the FXSAVE area below a trap frame.
trap_return:
    fxrstor [rsp]
    add rsp, 512
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                    ; vector and error code
    iretq

; Fills the IDT with interrupt gates (IF cleared on entry) to the stubs and
; loads it. Gate layout (SDM Vol. 3A 7.14.1): offset 15:0 | selector at 16 |
; IST at 32 | type 0x8E (present, DPL 0, 64-bit interrupt gate) at 40 |
; offset 31:16 at 48; the second quadword holds offset 63:32.
arch_load_idt:
    push rbp
    mov rbp, rsp
    lea rsi, [stub_table]
    lea rdi, [idt]
    mov ecx, VECTORS
.gate:
    mov rax, [rsi]
    mov rdx, rax
    and rdx, 0xFFFF
    mov r8, 0x08 << 16
    or rdx, r8
    mov r8, 0x8E
    shl r8, 40
    or rdx, r8
    mov r8, rax
    shr r8, 16
    and r8, 0xFFFF
    shl r8, 48
    or rdx, r8
    mov [rdi], rdx
    shr rax, 32
    mov [rdi + 8], rax
    add rsi, 8
    add rdi, 16
    dec ecx
    jnz .gate
    ; Vector 8 (double fault) runs on IST1 (gdt.asm): gate byte 4 bits 2:0.
    mov byte [idt + 8 * 16 + 4], 1
    lidt [idt_descriptor]
    pop rbp
    ret

section .data
align 8, db 0
kernel_mxcsr:
    dd 0x1F80
align 8, db 0
stub_table:
%assign i 0
%rep VECTORS
    dq trap_stub_ %+ i
%assign i i + 1
%endrep

idt_descriptor:
    dw 256 * 16 - 1
    dq idt

section .bss
alignb 16
idt:
    resb 256 * 16
