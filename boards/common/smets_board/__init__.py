"""The board glue around the smets device core: MQTT client, flash store, hardware abstraction,
display and the main loop. MicroPython (ESP32, RP2, unix port); see the README's section on boards."""
