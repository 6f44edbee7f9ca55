#include "zipsource.h"

#include "imported.h"

#include <QFile>

#include <zip.h>

namespace arbor::imports {

namespace {

bool escapes(const QString &name)
{
    if (name.startsWith(u'/') || name.startsWith(u'\\') || (name.size() > 1 && name.at(1) == u':'))
        return true;
    const QStringList parts = QString(name).replace(u'\\', u'/').split(u'/');
    return parts.contains(QStringLiteral(".."));
}

class ZipEntry : public ByteSource
{
public:
    ZipEntry(zip_t *archive, zip_file_t *file, QString where, qint64 maxBytes)
        : m_archive(archive)
        , m_file(file)
        , m_where(std::move(where))
        , m_maxBytes(maxBytes)
    {
    }
    ~ZipEntry() override
    {
        zip_fclose(m_file);
        zip_discard(m_archive);
    }
    qint64 read(char *buffer, qint64 max) override
    {
        if (!m_error.isEmpty())
            return 0;
        const zip_int64_t n = zip_fread(m_file, buffer, zip_uint64_t(max));
        if (n < 0) {
            m_error = QStringLiteral("%1: cannot read: %2")
                          .arg(m_where, QString::fromUtf8(zip_file_strerror(m_file)));
            return 0;
        }
        m_read += n;
        if (m_read > m_maxBytes) {
            m_error = QStringLiteral("%1: more than %2 bytes uncompressed: refused (a zip bomb?)")
                          .arg(m_where)
                          .arg(m_maxBytes);
            return 0;
        }
        return n;
    }
    QString error() const override { return m_error; }

private:
    zip_t *m_archive;
    zip_file_t *m_file;
    QString m_where;
    qint64 m_maxBytes;
    qint64 m_read = 0;
    QString m_error;
};

} // namespace

bool isZip(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(4) == QByteArrayLiteral("PK\x03\x04");
}

std::unique_ptr<ByteSource> openZipEntry(const QString &path, const ZipLimits &limits)
{
    int code = 0;
    zip_t *archive = zip_open(QFile::encodeName(path).constData(), ZIP_RDONLY, &code);
    if (!archive) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        const QString text = QString::fromUtf8(zip_error_strerror(&error));
        zip_error_fini(&error);
        throw ImportError(QStringLiteral("%1: not a readable zip archive: %2").arg(path, text));
    }
    struct Closer
    {
        zip_t *archive;
        ~Closer()
        {
            if (archive)
                zip_discard(archive);
        }
    } closer{archive};
    const zip_int64_t entries = zip_get_num_entries(archive, 0);
    zip_int64_t chosen = -1;
    QString chosenName;
    for (zip_int64_t i = 0; i < entries; ++i) {
        const QString name = QString::fromUtf8(zip_get_name(archive, zip_uint64_t(i), 0));
        if (escapes(name))
            throw ImportError(QStringLiteral("%1: entry “%2” points outside the archive (path "
                                             "traversal): refused")
                                  .arg(path, name));
        const QString base = name.section(u'/', -1);
        if (base == u"conversations.json"
            && (chosen < 0 || name.count(u'/') < chosenName.count(u'/'))) {
            chosen = i;
            chosenName = name;
        }
    }
    if (chosen < 0)
        throw ImportError(QStringLiteral("%1: the archive holds no conversations.json").arg(path));
    const QString where = QStringLiteral("%1 (entry %2)").arg(path, chosenName);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, zip_uint64_t(chosen), 0, &st) != 0)
        throw ImportError(QStringLiteral("%1: cannot read the entry").arg(where));
    if ((st.valid & ZIP_STAT_SIZE) && qint64(st.size) > limits.maxBytes)
        throw ImportError(QStringLiteral("%1: %2 bytes uncompressed, over the limit of %3: "
                                         "refused")
                              .arg(where)
                              .arg(qint64(st.size))
                              .arg(limits.maxBytes));
    if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.size > (1 << 20)
        && qint64(st.size) > limits.maxRatio * std::max<qint64>(1, qint64(st.comp_size)))
        throw ImportError(QStringLiteral("%1: compressed %2 times (%3 bytes to %4): refused as a "
                                         "zip bomb")
                              .arg(where)
                              .arg(qint64(st.size) / std::max<qint64>(1, qint64(st.comp_size)))
                              .arg(qint64(st.comp_size))
                              .arg(qint64(st.size)));
    zip_file_t *file = zip_fopen_index(archive, zip_uint64_t(chosen), 0);
    if (!file)
        throw ImportError(QStringLiteral("%1: cannot open the entry: %2")
                              .arg(where, QString::fromUtf8(zip_strerror(archive))));
    qint64 cap = limits.maxBytes;
    if ((st.valid & ZIP_STAT_SIZE))
        cap = std::min(cap, qint64(st.size)); // a header that understates the size is a lie
    closer.archive = nullptr;
    return std::make_unique<ZipEntry>(archive, file, where, cap);
}

} // namespace arbor::imports
