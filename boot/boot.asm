; Multiboot 1 entry: 32-bit protected mode to 64-bit long mode in the
; higher half, then aot_init and wasm_export_kmain(magic, mbi).
;
; The loader (QEMU -kernel or GRUB) enters boot_entry in 32-bit protected
; mode with paging off, eax = 0x2BADB002 and ebx = physical address of the
; multiboot information (Multiboot Specification 0.6.96, 3.2 "Machine state").
; This file's .boot sections are linked at their physical addresses; the rest
; of the kernel is linked at DIRECT_MAP + physical (arch/x86_64/kernel.ld).

%define DIRECT_MAP        0xFFFF800000000000
%define MB_MAGIC          0x1BADB002
; Flags: bit 0 page-align modules, bit 1 memory information, bit 16 the
; address fields below are valid (the "a.out kludge"). QEMU 7.2's -kernel
; rejects an ELF64 image without bit 16.
%define MB_FLAGS          ((1 << 0) | (1 << 1) | (1 << 16))
%define BOOT_STACK_SIZE   65536

extern aot_init
extern wasm_export_kmain
extern _load_start_phys, _load_end_phys, _bss_end_phys

global boot_entry
global boot_stack_top

section .multiboot
align 4
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd multiboot_header            ; header_addr (physical: .boot is linked low)
    dd _load_start_phys            ; load_addr
    dd _load_end_phys              ; load_end_addr: end of the file image
    dd _bss_end_phys               ; bss_end_addr: the loader zeroes up to here
    dd boot_entry                  ; entry_addr

section .boot.text progbits alloc exec
bits 32
boot_entry:
    cli
    cld
    mov esp, boot32_stack_top
    mov edi, eax                   ; multiboot magic, kept for kmain
    mov esi, ebx                   ; multiboot information, physical

    ; Long mode needs CPUID leaf 0x80000001 EDX bit 29 (SDM Vol. 3A 9.8.5).
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode
    mov ebp, edx                   ; bit 20: NX available

    call build_boot_page_tables

    ; SSE for compiled code: CR0.EM clear, CR0.MP set, CR4.OSFXSR (bit 9)
    ; and CR4.OSXMMEXCPT (bit 10) (SDM Vol. 3A 14.1.3). Long mode has
    ; SSE2 (SDM Vol. 1 5.5).
    mov eax, cr0
    and eax, ~(1 << 2)
    or eax, 1 << 1
    mov cr0, eax
    ; CR4.PAE (bit 5), then CR3, then EFER.LME (bit 8) and EFER.NXE (bit 11)
    ; where CPUID has NX, then CR0.PG | CR0.WP (SDM Vol. 3A 9.8.5).
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 8
    test ebp, 1 << 20
    jz .no_nx
    or eax, 1 << 11
.no_nx:
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)
    mov cr0, eax

    lgdt [boot_gdt_descriptor]
    jmp 0x08:boot_entry64

.no_long_mode:
    ; No console driver yet: write the reason straight to COM1.
    mov ebx, no_long_mode_message
.print:
    mov al, [ebx]
    test al, al
    jz .halt
    mov dx, 0x3F8
    out dx, al
    inc ebx
    jmp .print
.halt:
    hlt
    jmp .halt

; Maps physical [0, 4 GiB) twice with 2 MiB pages: at 0 (identity, needed
; while the instruction pointer is still low) and at DIRECT_MAP (PML4 slot
; 256). Both PML4 slots share one PDPT whose four entries point to four page
; directories. The kernel replaces these tables with its own in kmain.
build_boot_page_tables:
    mov eax, boot_pdpt
    or eax, 0x3                    ; present, writable
    mov [boot_pml4], eax
    mov [boot_pml4 + 256 * 8], eax

    mov ecx, 0
.pdpt_entry:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, 0x3
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .pdpt_entry

    ; 2048 PDEs: entry i maps physical i * 2 MiB; flags present, writable,
    ; page size (bit 7). Entry i sits at boot_pd + 8 * i.
    mov ecx, 0
.pd_entry:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov edx, ecx
    shr edx, 11                    ; high dword: physical bits 32 and up
    mov [boot_pd + ecx * 8], eax
    mov [boot_pd + ecx * 8 + 4], edx
    inc ecx
    cmp ecx, 2048
    jb .pd_entry
    ret

bits 64
boot_entry64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rax, higher_half
    jmp rax

section .boot.data progbits alloc write
align 8
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF          ; 0x08: 64-bit code, ring 0
    dq 0x00CF92000000FFFF          ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_descriptor:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt
no_long_mode_message:
    db "boot: this CPU has no long mode (CPUID 0x80000001 EDX bit 29)", 13, 10, 0

section .boot.bss nobits alloc write
alignb 4096
boot_pml4:    resb 4096
boot_pdpt:    resb 4096
boot_pd:      resb 4 * 4096
boot32_stack: resb 4096
boot32_stack_top:

section .text
bits 64
higher_half:
    mov rsp, boot_stack_top
    xor ebp, ebp                   ; ends the frame-pointer chain
    push rdi
    push rsi
    call aot_init
    pop rsi
    pop rdi
    ; kmain(magic: u32, mbi: u32) never returns; halt if it does.
    call wasm_export_kmain
.halt:
    cli
    hlt
    jmp .halt

section .bss
alignb 16
boot_stack:   resb BOOT_STACK_SIZE
boot_stack_top:
