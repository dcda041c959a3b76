package io.twsbridge.bridge.events;

import java.util.AbstractMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that forgets its least recently used entry beyond a fixed capacity, so state kept for a whole bridge run
 * (published execIds, tracked orders) has a ceiling however long the run. Not thread-safe: event loop only.
 *
 * <p>Wraps rather than extends {@link LinkedHashMap}, which is Serializable and would drag serialization into a
 * class that never travels.
 */
final class LruMap<K, V> {

    private final LinkedHashMap<K, V> map = new LinkedHashMap<>(64, 0.75f, true);
    private final int capacity;

    LruMap(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
        }
        this.capacity = capacity;
    }

    /** The value of {@code key}, marking it as just used; null when absent. */
    V get(K key) {
        return map.get(key);
    }

    /**
     * Stores {@code value} under {@code key} as the most recently used entry.
     *
     * @return the entry forgotten to make room, or null
     */
    Map.Entry<K, V> put(K key, V value) {
        map.put(key, value);
        if (map.size() <= capacity) {
            return null;
        }
        Iterator<Map.Entry<K, V>> entries = map.entrySet().iterator();
        Map.Entry<K, V> eldest = entries.next();
        Map.Entry<K, V> evicted = new AbstractMap.SimpleImmutableEntry<>(eldest.getKey(), eldest.getValue());
        entries.remove();
        return evicted;
    }

    V remove(K key) {
        return map.remove(key);
    }

    int size() {
        return map.size();
    }
}
