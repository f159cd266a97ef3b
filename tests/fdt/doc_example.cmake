# ctest: the full example in docs/bindings/axvm-vm.md is the file
# docs/bindings/axvm-vm.example.dts that the tests compile and parse.
# cmake -DDOC=axvm-vm.md -DDTS=axvm-vm.example.dts -P doc_example.cmake
file(READ ${DOC} doc)
file(READ ${DTS} dts)
string(FIND "${doc}" "```dts\n${dts}```" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC}: its ```dts example differs from ${DTS}; copy the file into the document")
endif()
