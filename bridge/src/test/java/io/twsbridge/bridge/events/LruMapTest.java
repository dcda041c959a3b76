package io.twsbridge.bridge.events;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LruMapTest {

    @Test
    void forgetsTheLeastRecentlyUsedEntryBeyondItsCapacity() {
        LruMap<String, Integer> map = new LruMap<>(2);
        assertThat(map.put("a", 1)).isNull();
        assertThat(map.put("b", 2)).isNull();
        map.get("a");

        Map.Entry<String, Integer> evicted = map.put("c", 3);

        assertThat(evicted).isEqualTo(Map.entry("b", 2));
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.get("a")).isEqualTo(1);
        assertThat(map.get("b")).isNull();
    }
}
