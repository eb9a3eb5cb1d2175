package io.ustack.cli.packetdrill;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;

/**
 * Python's {@code 'format' % args} (printf-style string formatting) and {@code str()}, as an assert's message
 * uses them: {@code 'cwnd=%d' % tcpi_snd_cwnd}, {@code '%d %s' % (a, b)}. Conversions {@code d i u o x X e E
 * f F g G c s r a %}, flags {@code - + space 0 #}, width and precision (also {@code *}). A count of arguments
 * that does not match, or a value of the wrong type, is an IllegalArgumentException worded as Python's
 * TypeError.
 */
final class PercentFormat {
    private PercentFormat() {
    }

    static String format(String format, Object args) {
        List<?> values = args instanceof List<?> list ? list : List.of(args);
        StringBuilder out = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i >= format.length()) {
                throw new IllegalArgumentException("incomplete format");
            }
            if (format.charAt(i) == '(') {
                throw new IllegalArgumentException("format requires a mapping");
            }
            String flags = "";
            while (i < format.length() && "-+ 0#".indexOf(format.charAt(i)) >= 0) {
                flags += format.charAt(i++);
            }
            int width = -1;
            if (i < format.length() && format.charAt(i) == '*') {
                i++;
                width = (int) integer(take(values, next++), '*');
            } else {
                int start = i;
                while (i < format.length() && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                width = i > start ? Integer.parseInt(format.substring(start, i)) : -1;
            }
            int precision = -1;
            if (i < format.length() && format.charAt(i) == '.') {
                i++;
                if (i < format.length() && format.charAt(i) == '*') {
                    i++;
                    precision = (int) integer(take(values, next++), '*');
                } else {
                    int start = i;
                    while (i < format.length() && Character.isDigit(format.charAt(i))) {
                        i++;
                    }
                    precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
                }
            }
            while (i < format.length() && "hlL".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                throw new IllegalArgumentException("incomplete format");
            }
            char conversion = format.charAt(i++);
            if (conversion == '%') {
                out.append('%');
                continue;
            }
            Object value = take(values, next++);
            out.append(convert(conversion, flags, width, precision, value));
        }
        if (next < values.size()) {
            throw new IllegalArgumentException("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static Object take(List<?> values, int index) {
        if (index >= values.size()) {
            throw new IllegalArgumentException("not enough arguments for format string");
        }
        return values.get(index);
    }

    private static String convert(char conversion, String flags, int width, int precision, Object value) {
        boolean left = flags.indexOf('-') >= 0;
        boolean zero = flags.indexOf('0') >= 0 && !left;
        String sign = "";
        String body;
        switch (conversion) {
            case 'd', 'i', 'u', 'o', 'x', 'X' -> {
                if (value instanceof Double && "oxX".indexOf(conversion) >= 0) {
                    throw new IllegalArgumentException("%" + conversion + " format: an integer is required, not float");
                }
                long v = integer(value, conversion);
                sign = v < 0 ? "-" : flags.indexOf('+') >= 0 ? "+" : flags.indexOf(' ') >= 0 ? " " : "";
                String magnitude = switch (conversion) {
                    case 'o' -> Long.toOctalString(Math.abs(v));
                    case 'x' -> Long.toHexString(Math.abs(v));
                    case 'X' -> Long.toHexString(Math.abs(v)).toUpperCase(Locale.ROOT);
                    default -> Long.toString(Math.abs(v));
                };
                if (v == Long.MIN_VALUE) {
                    magnitude = conversion == 'o' || conversion == 'x' || conversion == 'X'
                            ? new BigDecimal(v).negate().toBigInteger().toString(conversion == 'o' ? 8 : 16)
                            : Long.toString(v).substring(1);
                }
                if (precision > magnitude.length()) {
                    magnitude = "0".repeat(precision - magnitude.length()) + magnitude;
                }
                if (flags.indexOf('#') >= 0 && conversion != 'd' && conversion != 'i' && conversion != 'u') {
                    sign += conversion == 'o' ? "0o" : conversion == 'x' ? "0x" : "0X";
                }
                body = magnitude;
            }
            case 'e', 'E', 'f', 'F', 'g', 'G' -> {
                double v = real(value, conversion);
                sign = v < 0 || (v == 0 && 1 / v < 0) ? "-" : flags.indexOf('+') >= 0 ? "+"
                        : flags.indexOf(' ') >= 0 ? " " : "";
                body = floating(Math.abs(v), Character.toLowerCase(conversion), precision < 0 ? 6 : precision,
                        flags.indexOf('#') >= 0);
                if (Character.isUpperCase(conversion)) {
                    body = body.toUpperCase(Locale.ROOT);
                }
            }
            case 'c' -> {
                body = value instanceof String s && s.length() == 1 ? s
                        : String.valueOf(Character.toChars((int) integer(value, 'c')));
                zero = false;
            }
            case 's', 'r', 'a' -> {
                body = conversion == 's' ? str(value) : repr(value);
                if (precision >= 0 && precision < body.length()) {
                    body = body.substring(0, precision);
                }
                zero = false;
            }
            default -> throw new IllegalArgumentException("unsupported format character '" + conversion + "'");
        }
        int pad = width - sign.length() - body.length();
        if (pad <= 0) {
            return sign + body;
        }
        if (left) {
            return sign + body + " ".repeat(pad);
        }
        return zero ? sign + "0".repeat(pad) + body : " ".repeat(pad) + sign + body;
    }

    private static String floating(double v, char conversion, int precision, boolean alternate) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return "inf";
        }
        switch (conversion) {
            case 'f':
                return new BigDecimal(v).setScale(precision, java.math.RoundingMode.HALF_EVEN).toPlainString();
            case 'e':
                return String.format(Locale.ROOT, "%." + precision + "e", v);
            default: {
                int p = precision == 0 ? 1 : precision;
                int exponent = v == 0 ? 0 : new BigDecimal(v).round(new MathContext(p)).precision()
                        - new BigDecimal(v).round(new MathContext(p)).scale() - 1;
                String s = exponent >= -4 && exponent < p
                        ? floating(v, 'f', p - 1 - exponent, alternate)
                        : floating(v, 'e', p - 1, alternate);
                if (!alternate) {
                    int e = s.indexOf('e');
                    String mantissa = e < 0 ? s : s.substring(0, e);
                    if (mantissa.contains(".")) {
                        mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
                    }
                    s = mantissa + (e < 0 ? "" : s.substring(e));
                }
                return s;
            }
        }
    }

    private static long integer(Object value, char conversion) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (value instanceof Double d) {
            return (long) (double) d;
        }
        throw new IllegalArgumentException("%" + conversion + " format: a number is required, not "
                + typeName(value));
    }

    private static double real(Object value, char conversion) {
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof Long || value instanceof Boolean) {
            return integer(value, conversion);
        }
        throw new IllegalArgumentException("must be real number, not " + typeName(value));
    }

    /** Python's str(). */
    static String str(Object v) {
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < list.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(repr(list.get(i)));
            }
            return sb.append(list.size() == 1 ? ",)" : ")").toString();
        }
        return String.valueOf(v);
    }

    /** Python's repr(): strings quoted, everything else as str(). */
    static String repr(Object v) {
        if (v instanceof String s) {
            String q = s.contains("'") && !s.contains("\"") ? "\"" : "'";
            return q + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
                    .replace(q, "\\" + q) + q;
        }
        return str(v);
    }

    /** Python's repr() of a float: the shortest digits, {@code 1.0}, {@code 1e+16}, {@code 0.0001}, {@code 1e-05}. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = b.precision() - b.scale() - 1;
        if (d != 0 && (exponent < -4 || exponent >= 16)) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        String plain = b.toPlainString();
        if (d == 0) {
            plain = 1 / d < 0 ? "-0" : "0";
        }
        return plain.contains(".") ? plain : plain + ".0";
    }

    /** Python's type name of a value, for TypeError messages. */
    static String typeName(Object v) {
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof List) {
            return "tuple";
        }
        return "NoneType";
    }
}
