/*
 * abbrev.c — the abbreviation table (see abbrev.h for what is in it and why).
 *
 * Entries are sorted by their folded abbreviation; the folded forms are written out
 * (tests/test_analysis.c checks them against the analyser's folding) so that a lookup,
 * made for every word of every query, folds nothing.
 */
#include "abbrev.h"

#include <string.h>

static const tc_abbrev TABLE[] = {
	{"ATGT", "an toàn giao thông", "atgt", "an toan giao thong"},
	{"ATTP", "an toàn thực phẩm", "attp", "an toan thuc pham"},
	{"BĐS", "bất động sản", "bds", "bat dong san"},
	{"BHTN", "bảo hiểm thất nghiệp", "bhtn", "bao hiem that nghiep"},
	{"BHXH", "bảo hiểm xã hội", "bhxh", "bao hiem xa hoi"},
	{"BHYT", "bảo hiểm y tế", "bhyt", "bao hiem y te"},
	{"BLHS", "bộ luật hình sự", "blhs", "bo luat hinh su"},
	{"BV", "bệnh viện", "bv", "benh vien"},
	{"BVĐK", "bệnh viện đa khoa", "bvdk", "benh vien da khoa"},
	{"BVMT", "bảo vệ môi trường", "bvmt", "bao ve moi truong"},
	{"CAND", "công an nhân dân", "cand", "cong an nhan dan"},
	{"CBCC", "cán bộ công chức", "cbcc", "can bo cong chuc"},
	{"CCCD", "căn cước công dân", "cccd", "can cuoc cong dan"},
	{"CCHC", "cải cách hành chính", "cchc", "cai cach hanh chinh"},
	{"CLB", "câu lạc bộ", "clb", "cau lac bo"},
	{"CNTT", "công nghệ thông tin", "cntt", "cong nghe thong tin"},
	{"CSDL", "cơ sở dữ liệu", "csdl", "co so du lieu"},
	{"CSGT", "cảnh sát giao thông", "csgt", "canh sat giao thong"},
	{"CSXH", "chính sách xã hội", "csxh", "chinh sach xa hoi"},
	{"ĐBQH", "đại biểu quốc hội", "dbqh", "dai bieu quoc hoi"},
	{"ĐBSCL", "đồng bằng sông Cửu Long", "dbscl", "dong bang song cuu long"},
	{"DN", "doanh nghiệp", "dn", "doanh nghiep"},
	{"DNNN", "doanh nghiệp nhà nước", "dnnn", "doanh nghiep nha nuoc"},
	{"DNNVV", "doanh nghiệp nhỏ và vừa", "dnnvv", "doanh nghiep nho va vua"},
	{"DVC", "dịch vụ công", "dvc", "dich vu cong"},
	{"DVCTT", "dịch vụ công trực tuyến", "dvctt", "dich vu cong truc tuyen"},
	{"GPLX", "giấy phép lái xe", "gplx", "giay phep lai xe"},
	{"GPMB", "giải phóng mặt bằng", "gpmb", "giai phong mat bang"},
	{"GTGT", "giá trị gia tăng", "gtgt", "gia tri gia tang"},
	{"GTVT", "giao thông vận tải", "gtvt", "giao thong van tai"},
	{"HCV", "huy chương vàng", "hcv", "huy chuong vang"},
	{"HĐND", "hội đồng nhân dân", "hdnd", "hoi dong nhan dan"},
	{"HĐQT", "hội đồng quản trị", "hdqt", "hoi dong quan tri"},
	{"HĐXX", "hội đồng xét xử", "hdxx", "hoi dong xet xu"},
	{"HLV", "huấn luyện viên", "hlv", "huan luyen vien"},
	{"HTX", "hợp tác xã", "htx", "hop tac xa"},
	{"KBNN", "kho bạc nhà nước", "kbnn", "kho bac nha nuoc"},
	{"KCB", "khám chữa bệnh", "kcb", "kham chua benh"},
	{"KCN", "khu công nghiệp", "kcn", "khu cong nghiep"},
	{"KHTN", "khoa học tự nhiên", "khtn", "khoa hoc tu nhien"},
	{"KHXH", "khoa học xã hội", "khxh", "khoa hoc xa hoi"},
	{"KTNN", "kiểm toán nhà nước", "ktnn", "kiem toan nha nuoc"},
	{"LHQ", "Liên Hợp Quốc", "lhq", "lien hop quoc"},
	{"MTTQ", "mặt trận tổ quốc", "mttq", "mat tran to quoc"},
	{"NHNN", "ngân hàng nhà nước", "nhnn", "ngan hang nha nuoc"},
	{"NHTM", "ngân hàng thương mại", "nhtm", "ngan hang thuong mai"},
	{"NLĐ", "người lao động", "nld", "nguoi lao dong"},
	{"NSNN", "ngân sách nhà nước", "nsnn", "ngan sach nha nuoc"},
	{"NTM", "nông thôn mới", "ntm", "nong thon moi"},
	{"NXB", "nhà xuất bản", "nxb", "nha xuat ban"},
	{"PCCC", "phòng cháy chữa cháy", "pccc", "phong chay chua chay"},
	{"QLTT", "quản lý thị trường", "qltt", "quan ly thi truong"},
	{"TAND", "tòa án nhân dân", "tand", "toa an nhan dan"},
	{"TCTD", "tổ chức tín dụng", "tctd", "to chuc tin dung"},
	{"TDTT", "thể dục thể thao", "tdtt", "the duc the thao"},
	{"THCS", "trung học cơ sở", "thcs", "trung hoc co so"},
	{"THPT", "trung học phổ thông", "thpt", "trung hoc pho thong"},
	{"TNCN", "thu nhập cá nhân", "tncn", "thu nhap ca nhan"},
	{"TNGT", "tai nạn giao thông", "tngt", "tai nan giao thong"},
	{"TP", "thành phố", "tp", "thanh pho"},
	{"TP.HCM", "thành phố Hồ Chí Minh", "tphcm", "thanh pho ho chi minh"},
	{"TTCK", "thị trường chứng khoán", "ttck", "thi truong chung khoan"},
	{"TTĐB", "tiêu thụ đặc biệt", "ttdb", "tieu thu dac biet"},
	{"TTHC", "thủ tục hành chính", "tthc", "thu tuc hanh chinh"},
	{"TTXVN", "Thông tấn xã Việt Nam", "ttxvn", "thong tan xa viet nam"},
	{"TTYT", "trung tâm y tế", "ttyt", "trung tam y te"},
	{"UBCKNN", "ủy ban chứng khoán nhà nước", "ubcknn", "uy ban chung khoan nha nuoc"},
	{"UBKT", "ủy ban kiểm tra", "ubkt", "uy ban kiem tra"},
	{"UBND", "ủy ban nhân dân", "ubnd", "uy ban nhan dan"},
	{"UBTVQH", "ủy ban thường vụ quốc hội", "ubtvqh", "uy ban thuong vu quoc hoi"},
	{"VBQPPL", "văn bản quy phạm pháp luật", "vbqppl", "van ban quy pham phap luat"},
	{"VĐV", "vận động viên", "vdv", "van dong vien"},
	{"VKSND", "viện kiểm sát nhân dân", "vksnd", "vien kiem sat nhan dan"},
	{"XDCB", "xây dựng cơ bản", "xdcb", "xay dung co ban"},
};

#define NTABLE (sizeof TABLE / sizeof TABLE[0])

static int is(const char *s, const char *folded, size_t len)
{
	return strlen(s) == len && memcmp(s, folded, len) == 0;
}

const tc_abbrev *tc_abbrev_by_abbr(const char *folded, size_t len)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (is(TABLE[i].abbr_folded, folded, len))
			return &TABLE[i];
	return NULL;
}

const tc_abbrev *tc_abbrev_by_full(const char *folded, size_t len)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (is(TABLE[i].full_folded, folded, len))
			return &TABLE[i];
	return NULL;
}

size_t tc_abbrev_count(void)
{
	return NTABLE;
}

const tc_abbrev *tc_abbrev_at(size_t i)
{
	return i < NTABLE ? &TABLE[i] : NULL;
}
