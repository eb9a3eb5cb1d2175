package io.ustack.it.docker;

import java.util.List;

/** A Docker IT class: the containers whose state a failure report prints. */
interface ContainerScenario {
    List<UstackContainer> containers();
}
