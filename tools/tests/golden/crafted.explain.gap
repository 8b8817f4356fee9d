00007f0000100000: in no VMA (a gap)
source reports/crafted/explain.report
detail frame detail with tables
gap    00007f0000051000-00007f7eafbd3000 506.7G
below  00007f0000050000-00007f0000051000 rw-s /dev/shm/crafted
above  00007f7eafbd3000-00007f7eafbd4000 ---p [anon]
pgd    00007f0000000000-00007f8000000000 512G PWU--AD---N
       table 00000010fe, user copy PWU--AD----
pud    00007f0000000000-00007f0040000000 1G PWU--AD----
       table 0000003c00
pmd    00007f0000000000-00007f0000200000 2M PWU--AD----
       table 0000004000
read   SIGSEGV:
       no VMA holds it
write  SIGSEGV:
       no VMA holds it
exec   SIGSEGV:
       no VMA holds it
