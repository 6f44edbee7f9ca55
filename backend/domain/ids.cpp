#include "ids.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <array>
#include <mutex>

namespace arbor::domain {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString newId()
{
    // Monotonic within the process (RFC 9562 §6.2 method 1): the 12-bit rand_a field is a
    // counter seeded randomly each millisecond, so ids made in the same millisecond still sort
    // in creation order, which is what orders sibling branches.
    static std::mutex mutex;
    static qint64 lastMs = 0;
    static quint32 counter = 0;

    qint64 ms;
    quint32 seq;
    {
        std::lock_guard lock(mutex);
        ms = nowMs();
        if (ms <= lastMs) {
            ms = lastMs;
            if (++counter > 0xFFF) { // counter exhausted: borrow the next millisecond
                ++ms;
                counter = QRandomGenerator::global()->bounded(0x400u);
            }
        } else {
            counter = QRandomGenerator::global()->bounded(0x400u);
        }
        lastMs = ms;
        seq = counter;
    }

    std::array<quint8, 16> b{};
    for (int i = 0; i < 6; ++i)
        b[i] = quint8((quint64(ms) >> (40 - 8 * i)) & 0xFF);
    b[6] = quint8(0x70 | ((seq >> 8) & 0x0F));
    b[7] = quint8(seq & 0xFF);
    const quint64 r = QRandomGenerator::global()->generate64();
    for (int i = 8; i < 16; ++i)
        b[i] = quint8((r >> (8 * (i - 8))) & 0xFF);
    b[8] = quint8(0x80 | (b[8] & 0x3F));

    static constexpr char hex[] = "0123456789abcdef";
    QString out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out.append(QLatin1Char('-'));
        out.append(QLatin1Char(hex[b[i] >> 4]));
        out.append(QLatin1Char(hex[b[i] & 0x0F]));
    }
    return out;
}

} // namespace arbor::domain
