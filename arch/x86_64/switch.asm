; Kernel context switch and the first return of a new process to ring 3.

bits 64
default rel

extern trap_return
extern wasm_export_forkReturn
extern aot_symbols
extern wasm_export_aotTrap
global arch_switch
global arch_fork_return_address
global arch_idle
global arch_symbols
global aot_trap

section .text

; arch_switch(saveRsp: u64 native, nextRsp: u64 native): pushes the
; callee-saved registers (System V), stores rsp at [saveRsp], loads
; nextRsp and pops the next context's registers. A context that was never
; switched out starts with six zero registers and the return address
; arch_fork_return on its stack (kernel/process/sched.ts builds it).
arch_switch:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; A new process's first instruction in the kernel: rsp points at the
; FXSAVE area below its trap frame (idt.asm). forkReturn() finishes the switch, then the frame returns to ring 3.
arch_fork_return:
    call wasm_export_forkReturn
    jmp trap_return

arch_fork_return_address:
    lea rax, [arch_fork_return]
    ret

; Waits for one interrupt with interrupts enabled, then disables them. sti
; delays interrupts by one instruction (SDM Vol. 2B "STI"), so an interrupt
; that arrives between the caller's check and hlt still ends the wait.
arch_idle:
    sti
    hlt
    cli
    ret

; Returns the native address of the compiler's symbol table.
arch_symbols:
    lea rax, [aot_symbols]
    ret

; Called by compiled code on a WebAssembly trap: rdi = trap kind, rsi =
; name of the trapping function. Does not return.
aot_trap:
    and rsp, -16
    call wasm_export_aotTrap
.halt:
    cli
    hlt
    jmp .halt
