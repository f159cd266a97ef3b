# Device models (src/devices/: include/axvm/uart.h, include/axvm/virtio.h,
# include/axvm/ivc.h): built into every libaxvm; they use only the core's
# public device API.
file(GLOB AXVM_DEVICE_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/devices/*.c)
target_sources(axvm PRIVATE ${AXVM_DEVICE_SOURCES})
