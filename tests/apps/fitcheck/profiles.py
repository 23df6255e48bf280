"""Other candidate profiles for tests, written as YAML the way a user would."""

EMBEDDED_ENGINEER = """
name: Sam Okoro
title: Embedded Software Engineer
summary: Firmware engineer writing C and C++ for microcontrollers and real-time systems.
education:
  - degree: BEng
    field: Electronic Engineering
    institution: Eastgate Polytechnic
    graduated: 2015-07
experience:
  - title: Senior Embedded Software Engineer
    company: Kestrel Avionics
    start: 2019-01
    end: null
    highlights:
      - Wrote flight-control firmware on ARM Cortex-M microcontrollers running FreeRTOS
      - Brought up new boards and wrote SPI and CAN bus device drivers
      - Certified software to DO-178C with full test coverage and code review
    technologies: [C, C++, FreeRTOS, Embedded C, CAN bus, DO-178C, Python]
  - title: Firmware Engineer
    company: Lumen Sensors
    start: 2015-09
    end: 2018-12
    highlights:
      - Built bare-metal firmware for battery-powered sensors
      - Designed the real-time scheduler and reduced power use by 40%
    technologies: [C, Assembly, Microcontrollers, RTOS]
skills:
  languages:
    - {name: C, level: 5}
    - {name: C++, level: 4}
    - {name: Python, level: 2}
    - {name: Assembly, level: 3}
  embedded:
    - {name: RTOS, level: 5}
    - {name: FreeRTOS, level: 5}
    - {name: Microcontrollers, level: 5}
    - {name: Device drivers, level: 4}
    - {name: CAN bus, level: 4}
    - {name: Embedded Linux, level: 3}
  tools: [Git, Linux]
projects:
  - name: tinysched
    description: A cooperative scheduler for 8-bit microcontrollers
    technologies: [C, Microcontrollers]
strengths: [Debugging hardware and software together, Safety-critical discipline]
interests: [Robotics, Space systems]
"""
