// Compiles one public header on its own (dav1d style): every header must be self-contained.
#include COOKIESEAL_TEST_HEADER

int main() { return 0; }
